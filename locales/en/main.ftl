# Tianguis — English messages.
# Every key must also exist in locales/es/main.ftl; a test checks it.

## Page structure
skip-to-content = Skip to content
nav-main = Main navigation
nav-suppliers = Suppliers
nav-catalogue = Catalogue
nav-audit = Public audit log
nav-users = Users
lang-switch-label = Language
sign-in = Sign in
sign-out = Sign out
footer-tagline = Tianguis: fair and equitable public procurement, open to every citizen.
footer-api = API documentation
footer-timezone = Times are shown in the { $zone } time zone.
back-home = Back to the home page
save = Save
form-has-errors = Please check these fields:
pagination = Pagination
page = Page
page-previous = Previous
page-next = Next
results-count = { $count ->
    [one] 1 result
   *[other] { $count } results
}
filter-search = Search
filter-any = Any
filter-none = None
filter-apply = Filter
access-public = Public (no authentication)
access-authenticated = Any signed-in user

## Home
home-title = Open public procurement
home-lead = Planning, tenders, electronic reverse auctions, contracts and payments for medicines and hospital supplies, published as open data for citizens to audit.
home-figures = In figures
home-suppliers = Registered suppliers
home-catalogue = Catalogue items
home-buyers = Procuring entities
home-open-title = Open data and accountability
home-open-text = Every process, decision and change of state is recorded in a hash-chained log that anyone can verify, and published through a documented API.

## Session and account
login-title = Sign in
account-title = My account
account-profile = Profile
account-password = Password
account-change-password = Change password
password-hint = At least 10 characters; avoid common passwords or ones containing your username.
tokens-title = API access tokens
tokens-intro = Personal tokens let your programs use the API on your behalf. They are shown only once; keep them safe and revoke them when no longer used.
tokens-created-once = This is your new token. Copy it now: it will not be shown again.
tokens-create = Create token
tokens-none = You have not created any tokens yet.
tokens-prefix = Starts with
tokens-created = Created
tokens-last-used = Last used
tokens-expires = Expires
tokens-revoked = Revoked
tokens-revoke = Revoke

## Fields
field-username = Username
field-password = Password
field-current-password = Current password
field-confirmation = Password confirmation
field-display-name = Name
field-email = E-mail
field-roles = Roles
field-role = Role
field-status = Status
field-name = Name
field-days = Days valid
field-supplier-id = Bound supplier
field-locale = Language
field-legal-name = Legal name
field-department = Department
field-phone = Phone
field-registered = Registered on
field-kind = Type
field-code = Code
field-item-name = Generic name or description
field-strength = Strength
field-form = Pharmaceutical form
field-unit = Unit
field-classification = Classification
field-level-of-care = Level of care

## Roles
role-administrator = Administration
role-buyer = Procurement
role-evaluator = Evaluation committee
role-supplier = Supplier
role-warehouse = Warehouse
role-analyst = Market intelligence
role-observer = Civil-society observer
roles-hint = The supplier role cannot be combined with internal roles and needs a bound supplier.

## Users
users-title = Users
users-new = New user
users-edit = Edit user
users-activate = Reactivate account
users-deactivate = Deactivate account
users-reset-password = Reset password
status-active = Active
status-inactive = Deactivated

## Suppliers
suppliers-title = Supplier registry
suppliers-lead = Firms registered to bid. The registry is public.
suppliers-search-hint = Legal name or NIT
supplier-status-verified = Verified
supplier-status-pending = Awaiting verification
supplier-status-suspended = Suspended

## Catalogue
catalogue-title = Medicines and supplies catalogue
catalogue-lead = Basic medicines list (generic name, strength, pharmaceutical form, ATC code) and hospital supplies (UNSPSC code).
catalogue-search-hint = Name, code, ATC or UNSPSC
kind-medicine = Medicine
kind-supply = Medical-surgical supply

## Audit log
audit-title = Public audit log
audit-full-title = Full audit log
audit-lead = Every change of state is recorded in a hash chain: if anyone edits, deletes or reorders an event, verification detects it.
audit-feed = Audit log as JSON
audit-when = Date and time
audit-who = Who
audit-what = Action
audit-record = Record
audit-hash = Hash
audit-private = private
audit-older = Older events

## API documentation
api-docs-title = API documentation
api-docs-lead = Every JSON route of Tianguis, generated from the code. Public data needs no authentication.
api-docs-auth = Authentication
api-docs-auth-text = Send a personal token in the Authorization header. Create it on your account page.
api-docs-errors = Errors
api-docs-errors-text = Every error answers with a stable code, a message translated per Accept-Language, and details.
api-docs-index = Route index
api-docs-access = Access
api-docs-parameters = Parameters
api-docs-in = In
api-docs-required = Required
api-docs-description = Description
api-docs-body = Request body
api-docs-responses = Responses
api-docs-schemas = Schemas
api-docs-type = Type
api-healthz = Service and database health
api-get-me = My account
api-update-me = Change my language
api-list-tokens = List my access tokens
api-create-token = Create an access token
api-revoke-token = Revoke an access token
api-list-users = List users
api-create-user = Create a user
api-get-user = Read a user
api-update-user = Update a user
api-reset-user-password = Reset a user's password
api-activate-user = Reactivate a user
api-deactivate-user = Deactivate a user
api-public-audit-log = Public audit log, paged
api-full-audit-log = Full audit log, paged
api-audit-head = Head of the audit chain
api-list-buyers = List procuring entities
api-list-suppliers = List suppliers
api-get-supplier = Read a supplier
api-list-catalogue = List the catalogue

## Messages after an action
flash-signed-in = Welcome, { $name }.
flash-signed-out = You have signed out.
flash-password-changed = Your password was changed. Your account's other sessions were closed.
flash-token-revoked = The token was revoked.
flash-user-created = User { $name } was created.
flash-user-updated = Changes to { $name } were saved.
flash-password-reset = The password was reset and the account's sessions were closed.
flash-user-activated = The account was reactivated.
flash-user-deactivated = The account was deactivated and its sessions closed.

## Errors
error-page-title = The request could not be completed
error-code-label = Code
error-auth-invalid_credentials = Wrong username or password.
error-auth-required = Please sign in to continue.
error-auth-forbidden = Your account is not allowed to do this.
error-auth-rate_limited = Too many attempts. Wait a few minutes and try again.
error-auth-account_disabled = This account is deactivated. Please contact the administration.
error-auth-invalid_token = The access token is invalid, revoked or expired.
error-csrf-invalid = The form has expired or is invalid. Reload the page and try again.
error-request-invalid_json = The request body is not valid JSON or does not have the expected shape.
error-request-invalid_form = The submitted form could not be read.
error-request-invalid_query = The address parameters are invalid.
error-request-invalid_path = The address contains an invalid identifier.
error-request-too_large = The request is too large.
error-request-method_not_allowed = This address does not support that method.
error-request-unsupported_media_type = The content type sent is not supported.
error-validation-failed = Some data is invalid.
error-resource-not_found = We could not find what you are looking for.
error-resource-conflict = A record with those details already exists.
error-state-illegal_transition = This action is not allowed in the current state.
error-service-unavailable = The service is unavailable right now. Please try later.
error-internal-error = An unexpected error occurred. It has been logged; please try later.

## Field errors
verr-required = This field is required.
verr-too-long = The text is too long.
verr-too-short = The text is too short.
verr-invalid-characters = It contains characters that are not allowed.
verr-unknown-option = The value is not a valid option.
verr-username-taken = That username already exists.
verr-weak-password = The password is too weak: use at least 10 characters, without your username or common passwords.
verr-password-mismatch = The passwords do not match.
verr-wrong-password = The current password is not correct.
verr-role-combination = That combination of roles is not allowed.
verr-unknown-supplier = The supplier given does not exist.
verr-invalid-nit = The NIT is invalid (check its check digit).
verr-invalid-email = The e-mail address is invalid.
verr-invalid-date = The date is invalid.
verr-invalid-number = The number is invalid or out of range.
verr-already-registered = It is already registered.
verr-rule-violation = It does not comply with the rules of the chosen procurement method.
verr-invalid-phone = The phone number is invalid.
verr-at-least-one = Give at least one.
verr-sum-too-large = The total exceeds the maximum allowed.
error-rule-violated = The request does not comply with the rules of the procurement method.
error-opening-failed = The bids could not be opened; none was opened.
