# Red flags and market indicators — English messages (issue 6).
# Every message id here must exist in es/indicators.ftl too (a test checks it).

## Indicator names

name-R003 = Short submission period
name-R018 = Single bid received
name-R024 = Price close to winning bid
name-R025 = Excessive unsuccessful bids
name-R028 = Identical bid prices
name-R030 = Late bid won
name-R035 = All except winning bid disqualified
name-R036 = Lowest bid disqualified
name-R038 = Excessive disqualified bids
name-R044 = Business similarities between bidders
name-R048 = Heterogeneous supplier
name-R055 = Direct awards split below the competitive threshold
name-R058 = Heavily discounted bid
name-ALP = Abnormally low price

## Explanations of a flag, with the values that raised it

flag-R003 = The submission period lasted { $days } whole days, fewer than the minimum of { $threshold } days{ $details ->
    [none] .
   *[other] {" "}set for “{ $details }”.
}
flag-R018 = Only one bid was received in a competitive process{ $method ->
    [open] {" "}(open procedure).
    [selective] {" "}(selective procedure).
    [limited] {" "}(limited procedure).
    [direct] {" "}(direct award).
   *[other] {" "}({ $method }).
}
flag-R024 = The second-lowest bid ({ $second } { $currency }, by { $runnerup }) is only { $ratio } above the winning bid ({ $winning } { $currency }, by { $winner }); gaps of { $fence } or less are unusually small in this dataset.
flag-R025 = This tenderer won { $ratio } of the { $denominator } processes in which it submitted a valid bid, at or below the unusual level of { $fence }.
flag-R028 = Different tenderers ({ $tenderers }) submitted bids with the identical price of { $amount } { $currency }.
flag-R030 = The winner { $tenderer } submitted its bid on { $biddate }, after the submission deadline of { $enddate }.
flag-R035 = All bids except the winner's ({ $winner }) were disqualified: { $count } other tenderer(s).
flag-R036 = The lowest bid ({ $amount } { $currency }) was disqualified.
flag-R038 = { $ratio } of the { $denominator } bids submitted were disqualified, at or above the unusual level of { $fence }.
flag-R044 = Bidders { $first } and { $second } share the same { $basis } ({ $shared }).
flag-R048 = This supplier won contracts in { $categories } different item categories, at or above the unusual level of { $fence }.
flag-R055 = { $count } direct awards to { $supplier } within { $window } days add up to { $total } { $currency }, while each stays below the competitive threshold of { $threshold } { $currency }.
flag-R058 = The winning bid ({ $winning } { $currency }, by { $winner }) is far below the second-lowest bid ({ $second } { $currency }, by { $runnerup }), which is { $ratio } higher; gaps of { $fence } or more are unusual in this dataset.
flag-ALP = The winning price of { $winner } ({ $price } { $currency }) is { $belowmean } % below the mean of the other initial bids ({ $mean } { $currency }) and { $belowrunner } % below the runner-up ({ $runner } { $currency }).

## Similarity bases (R044)

basis-address = postal address
basis-email = contact e-mail
basis-telephone = contact telephone
basis-identifier = legal identifier

## Why an indicator was not applicable

reason-missing_tender_period = the tender period has no start or end date
reason-invalid_date = a date is not valid RFC 3339
reason-procurement_method_not_selected = the procurement method is not one the indicator applies to
reason-missing_number_of_tenderers = the number of tenderers is not published
reason-no_price_comparison_method = prices are not compared for this procurement method
reason-missing_bids = no bids are published
reason-missing_awards = no awards are published
reason-awards_not_final = an award is still pending
reason-not_one_active_award = there is not exactly one active award (or lots do not say which bids compete)
reason-not_one_supplier = the award does not have exactly one supplier
reason-no_winning_bid = no valid bid of the winner in the main currency
reason-no_other_valid_bid = no other valid bid in the main currency
reason-lowest_bid_did_not_win = the lowest bid did not win, so the award was not on price alone
reason-fewer_than_two_priced_bids = fewer than two bids with a price and a tenderer
reason-missing_tender_end_date = the submission deadline is not published
reason-no_active_award = no active award
reason-no_valid_priced_bid = no valid bid with a price in the main currency
reason-no_submitted_bids = no submitted bids
reason-not_one_valid_winner = there is not exactly one valid tenderer who is also the winner
reason-no_classified_items = no active single-supplier award with classified items
reason-no_party_details = fewer than two bidders are described in parties
reason-not_a_direct_award = not a direct award with a value and a date
reason-fewer_than_two_bidders = fewer than two bidders with a price

## Framework agreements and call-offs (issue 14)

name-FA01 = Call-offs split below the mini-competition threshold
name-FA02 = Cascade ranks skipped without a valid reason
name-FA03 = Pattern of cascade skips favouring one supplier
name-FA04 = Call-offs concentrated on one supplier of the lot
name-FA05 = Use above the estimated quantity
name-FA06 = Use near the agreement's maximum
name-FA07 = Agreement longer than the rulebook's maximum

flag-FA01 = { $count } call-offs by unit { $unit } on lot { $lot }, placed from { $first } to { $last } (a window of { $window } days), add up to { $total } { $currency }, while each stays below the mini-competition threshold of { $threshold } { $currency }: { $calloffs }.
flag-FA02 = Call-off { $calloff } (lot { $lot }, { $value } { $currency }) went to { $supplier } after { $count ->
    [one] a better rank was
   *[other] { $count } better ranks were
} skipped without a valid reason: { $skips }.
flag-FA03 = { $supplier } received { $count ->
    [one] one call-off
   *[other] { $count } call-offs
} ({ $value } { $currency }) after better ranks ({ $skipped }) were skipped without a valid reason; { $minimum } or more make a pattern: { $calloffs }.
flag-FA04 = { $supplier } received { $share } of the call-off value of lot { $lot } ({ $suppliervalue } of { $total } { $currency }; { $suppliercalloffs } of { $calloffs } call-offs), more than { $threshold }, in a lot with { $parties } suppliers{ $method ->
    [mini_competition] {" "}that compete for each call-off.
   *[other] , although it is not the first-ranked.
}
flag-FA05 = { $ordered } of item “{ $item }” (lot { $lot }) have been ordered, more than the estimated quantity of { $estimated }{ $percent ->
    [none] .
   *[other] {" "}({ $percent } more).
}
flag-FA06 = { $ordered } of item “{ $item }” (lot { $lot }) have been ordered out of a maximum of { $maximum } ({ $share }){ $state }
flag-FA06-value = { $ordered } { $currency } have been ordered out of a maximum value of { $maximum } { $currency } ({ $share }){ $state }
flag-FA07 = The agreement is in force from { $start } to { $end }, { $months ->
    [one] 1 month
   *[other] { $months } months
}{ $days ->
    [0] {""}
    [one] {" "}and 1 day
   *[other] {" "}and { $days } days
}, longer than the rulebook's maximum of { $max } months{ $exception ->
    [none] , and no exception was cited.
   *[other] ; the exception cited is “{ $exception }”.
}

fa-party-ranked = { $name } (rank { $rank })
fa-call-off = { $ocid } ({ $value } { $currency }, { $date })
fa-skip-no_response = { $party }, no answer within the confirmation window
fa-skip-declined = { $party }, declined with reason “{ $code }”, which is not a valid reason
fa-skip-declined_without_reason = { $party }, declined without giving a reason
fa-skip-unrecorded = { $party }, with no record of an offer or a decline
fa-maximum-near = ; from { $threshold } on, use is near the maximum.
fa-maximum-reached = : the maximum has been reached and the agreement has no further effect.
fa-maximum-exceeded = , more than the maximum: once the maximum is reached the agreement has no further effect.

reason-no_call_offs = the agreement has no call-offs yet
reason-no_lots = the agreement has no lots
reason-no_items = the lots have no items
reason-no_mini_competition_threshold = the rulebook sets no mini-competition threshold
reason-mini_competition_used = the call-off was placed by mini-competition
reason-not_a_cascade = the call-off was not placed by cascade
reason-not_filled = no supplier has accepted the call-off yet
reason-no_cascade_call_offs = no cascade call-off has been accepted
reason-single_supplier_lot = the lot has a single supplier
reason-too_few_call_offs = the lot has fewer accepted call-offs than the minimum
reason-no_call_off_value = the lot's accepted call-offs add up to zero
reason-no_estimated_quantity = the item states no estimated quantity
reason-no_maximum = no positive maximum quantity or value is stated
reason-invalid_period = the period ends before it starts
