# Tianguis — mensajes en español (idioma predeterminado).
# Cada clave debe existir también en locales/en/main.ftl; una prueba lo comprueba.

## Estructura de la página
skip-to-content = Saltar al contenido
nav-main = Navegación principal
nav-suppliers = Proveedores
nav-catalogue = Catálogo
nav-audit = Bitácora pública
nav-users = Usuarios
lang-switch-label = Idioma
sign-in = Iniciar sesión
sign-out = Cerrar sesión
footer-tagline = Tianguis: compras públicas justas y equitativas, abiertas a la ciudadanía.
footer-api = Documentación de la API
footer-timezone = Las horas se muestran en la zona { $zone }.
back-home = Volver al inicio
save = Guardar
form-has-errors = Revise los campos señalados:
pagination = Paginación
page = Página
page-previous = Anterior
page-next = Siguiente
results-count = { $count ->
    [one] 1 resultado
   *[other] { $count } resultados
}
filter-search = Buscar
filter-any = Todos
filter-none = Ninguno
filter-apply = Filtrar
access-public = Público (sin autenticación)
access-authenticated = Cualquier usuario autenticado

## Inicio
home-title = Compras públicas abiertas
home-lead = Planificación, licitaciones, subastas electrónicas inversas, contratos y pagos de medicamentos e insumos hospitalarios, publicados como datos abiertos para la auditoría ciudadana.
home-figures = En cifras
home-suppliers = Proveedores registrados
home-catalogue = Artículos en el catálogo
home-buyers = Entidades compradoras
home-open-title = Datos abiertos y rendición de cuentas
home-open-text = Cada proceso, decisión y cambio de estado queda registrado en una bitácora encadenada que cualquiera puede verificar, y se publica por medio de una API documentada.

## Sesión y cuenta
login-title = Iniciar sesión
account-title = Mi cuenta
account-profile = Perfil
account-password = Contraseña
account-change-password = Cambiar contraseña
password-hint = Al menos 10 caracteres; evite contraseñas comunes o que contengan su usuario.
tokens-title = Claves de acceso a la API
tokens-intro = Las claves personales permiten a sus programas usar la API en su nombre. Se muestran una sola vez; guárdelas en un lugar seguro y revóquelas cuando ya no las use.
tokens-created-once = Esta es su nueva clave. Cópiela ahora: no se volverá a mostrar.
tokens-create = Crear clave
tokens-none = Aún no ha creado claves.
tokens-prefix = Inicio
tokens-created = Creada
tokens-last-used = Último uso
tokens-expires = Vence
tokens-revoked = Revocada
tokens-revoke = Revocar

## Campos
field-username = Usuario
field-password = Contraseña
field-current-password = Contraseña actual
field-confirmation = Confirmación de la contraseña
field-display-name = Nombre
field-email = Correo electrónico
field-roles = Roles
field-role = Rol
field-status = Estado
field-name = Nombre
field-days = Días de validez
field-supplier-id = Proveedor vinculado
field-locale = Idioma
field-legal-name = Razón social
field-department = Departamento
field-phone = Teléfono
field-registered = Fecha de registro
field-kind = Tipo
field-code = Código
field-item-name = Nombre genérico o descripción
field-strength = Concentración
field-form = Forma farmacéutica
field-unit = Unidad
field-classification = Clasificación
field-level-of-care = Nivel de atención

## Roles
role-administrator = Administración
role-buyer = Compras
role-evaluator = Junta calificadora
role-supplier = Proveedor
role-warehouse = Almacén
role-analyst = Inteligencia de mercado
role-observer = Observación ciudadana
roles-hint = El rol de proveedor no se combina con roles internos y requiere un proveedor vinculado.

## Usuarios
users-title = Usuarios
users-new = Nuevo usuario
users-edit = Editar usuario
users-activate = Reactivar cuenta
users-deactivate = Desactivar cuenta
users-reset-password = Restablecer contraseña
status-active = Activa
status-inactive = Desactivada

## Proveedores
suppliers-title = Registro de proveedores
suppliers-lead = Empresas registradas para ofertar. El registro es público.
suppliers-search-hint = Razón social o NIT
supplier-status-verified = Verificado
supplier-status-pending = Pendiente de verificación
supplier-status-suspended = Suspendido

## Catálogo
catalogue-title = Catálogo de medicamentos e insumos
catalogue-lead = Listado básico de medicamentos (nombre genérico, concentración, forma farmacéutica, código ATC) e insumos hospitalarios (código UNSPSC).
catalogue-search-hint = Nombre, código, ATC o UNSPSC
kind-medicine = Medicamento
kind-supply = Insumo médico-quirúrgico

## Bitácora
audit-title = Bitácora pública
audit-full-title = Bitácora completa
audit-lead = Cada cambio de estado queda registrado en una cadena de hashes: si alguien edita, borra o reordena un evento, la verificación lo detecta.
audit-feed = Bitácora en formato JSON
audit-when = Fecha y hora
audit-who = Quién
audit-what = Acción
audit-record = Registro
audit-hash = Hash
audit-private = privado
audit-older = Eventos anteriores

## Documentación de la API
api-docs-title = Documentación de la API
api-docs-lead = Todas las rutas JSON de Tianguis, generadas a partir del código. Los datos públicos no requieren autenticación.
api-docs-auth = Autenticación
api-docs-auth-text = Use una clave personal en el encabezado Authorization. Créela en su página de cuenta.
api-docs-errors = Errores
api-docs-errors-text = Todo error responde con un código estable, un mensaje traducido según Accept-Language y detalles.
api-docs-index = Índice de rutas
api-docs-access = Acceso
api-docs-parameters = Parámetros
api-docs-in = Ubicación
api-docs-required = Obligatorio
api-docs-description = Descripción
api-docs-body = Cuerpo de la solicitud
api-docs-responses = Respuestas
api-docs-schemas = Esquemas
api-docs-type = Tipo
api-healthz = Estado del servicio y de la base de datos
api-get-me = Mi cuenta
api-update-me = Cambiar mi idioma
api-list-tokens = Listar mis claves de acceso
api-create-token = Crear una clave de acceso
api-revoke-token = Revocar una clave de acceso
api-list-users = Listar usuarios
api-create-user = Crear un usuario
api-get-user = Consultar un usuario
api-update-user = Modificar un usuario
api-reset-user-password = Restablecer la contraseña de un usuario
api-activate-user = Reactivar un usuario
api-deactivate-user = Desactivar un usuario
api-public-audit-log = Bitácora pública, por páginas
api-full-audit-log = Bitácora completa, por páginas
api-audit-head = Último eslabón de la bitácora
api-list-buyers = Listar entidades compradoras
api-list-suppliers = Listar proveedores
api-get-supplier = Consultar un proveedor
api-list-catalogue = Listar el catálogo

## Mensajes después de una acción
flash-signed-in = Bienvenido(a), { $name }.
flash-signed-out = Ha cerrado la sesión.
flash-password-changed = Su contraseña fue cambiada. Las demás sesiones de su cuenta se cerraron.
flash-token-revoked = La clave fue revocada.
flash-user-created = Se creó el usuario { $name }.
flash-user-updated = Se guardaron los cambios de { $name }.
flash-password-reset = La contraseña fue restablecida y se cerraron las sesiones de la cuenta.
flash-user-activated = La cuenta fue reactivada.
flash-user-deactivated = La cuenta fue desactivada y sus sesiones cerradas.

## Errores
error-page-title = No se pudo completar la solicitud
error-code-label = Código
error-auth-invalid_credentials = Usuario o contraseña incorrectos.
error-auth-required = Debe iniciar sesión para continuar.
error-auth-forbidden = Su cuenta no tiene permiso para esta acción.
error-auth-rate_limited = Demasiados intentos. Espere unos minutos e inténtelo de nuevo.
error-auth-account_disabled = Esta cuenta está desactivada. Comuníquese con la administración.
error-auth-invalid_token = La clave de acceso no es válida, fue revocada o venció.
error-csrf-invalid = El formulario venció o no es válido. Recargue la página e inténtelo de nuevo.
error-request-invalid_json = El cuerpo de la solicitud no es JSON válido o no tiene la forma esperada.
error-request-invalid_form = No se pudo leer el formulario enviado.
error-request-invalid_query = Los parámetros de la dirección no son válidos.
error-request-invalid_path = La dirección contiene un identificador no válido.
error-request-too_large = La solicitud es demasiado grande.
error-request-method_not_allowed = Esta dirección no admite ese método.
error-request-unsupported_media_type = El tipo de contenido enviado no es admitido.
error-validation-failed = Algunos datos no son válidos.
error-resource-not_found = No encontramos lo que busca.
error-resource-conflict = Ya existe un registro con esos datos.
error-state-illegal_transition = Esta acción no está permitida en el estado actual.
error-service-unavailable = El servicio no está disponible en este momento. Inténtelo más tarde.
error-internal-error = Ocurrió un error inesperado. Ya quedó registrado; inténtelo más tarde.

## Errores de campos
verr-required = Este campo es obligatorio.
verr-too-long = El texto es demasiado largo.
verr-too-short = El texto es demasiado corto.
verr-invalid-characters = Contiene caracteres no permitidos.
verr-unknown-option = El valor no es una opción válida.
verr-username-taken = Ese usuario ya existe.
verr-weak-password = La contraseña es demasiado débil: use al menos 10 caracteres, sin su usuario ni contraseñas comunes.
verr-password-mismatch = Las contraseñas no coinciden.
verr-wrong-password = La contraseña actual no es correcta.
verr-role-combination = Esa combinación de roles no está permitida.
verr-unknown-supplier = El proveedor indicado no existe.
verr-invalid-nit = El NIT no es válido (revise el dígito verificador).
verr-invalid-email = El correo electrónico no es válido.
verr-invalid-date = La fecha no es válida.
verr-invalid-number = El número no es válido o está fuera de rango.
verr-already-registered = Ya está registrado.
verr-rule-violation = No cumple las reglas del método de compra elegido.
verr-invalid-phone = El teléfono no es válido.
verr-at-least-one = Indique al menos uno.
verr-sum-too-large = La suma supera el máximo permitido.
error-rule-violated = La solicitud no cumple las reglas del método de compra.
error-opening-failed = No se pudieron abrir las ofertas; no se abrió ninguna.
