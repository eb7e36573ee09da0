# Señales de alerta e indicadores de mercado — mensajes en español (issue 6).
# Todo identificador de mensaje debe existir también en en/indicators.ftl (lo comprueba una prueba).

## Nombres de los indicadores

name-R003 = Plazo de presentación corto
name-R018 = Una sola oferta recibida
name-R024 = Precio cercano a la oferta ganadora
name-R025 = Exceso de ofertas no adjudicadas
name-R028 = Precios de oferta idénticos
name-R030 = Ganó una oferta tardía
name-R035 = Todas las ofertas descalificadas salvo la ganadora
name-R036 = Oferta más baja descalificada
name-R038 = Exceso de ofertas descalificadas
name-R044 = Similitudes entre oferentes
name-R048 = Proveedor heterogéneo
name-R055 = Adjudicaciones directas fraccionadas bajo el umbral de competencia
name-R058 = Oferta con descuento excesivo
name-ALP = Precio anormalmente bajo

## Explicación de una alerta, con los valores que la activaron

flag-R003 = El plazo de presentación fue de { $days } días completos, menos que el mínimo de { $threshold } días{ $details ->
    [none] .
   *[other] {" "}fijado para «{ $details }».
}
flag-R018 = Se recibió una sola oferta en un proceso competitivo{ $method ->
    [open] {" "}(procedimiento abierto).
    [selective] {" "}(procedimiento selectivo).
    [limited] {" "}(procedimiento limitado).
    [direct] {" "}(contratación directa).
   *[other] {" "}({ $method }).
}
flag-R024 = La segunda oferta más baja ({ $second } { $currency }, de { $runnerup }) supera solo en { $ratio } a la ganadora ({ $winning } { $currency }, de { $winner }); diferencias de { $fence } o menos son inusualmente pequeñas en este conjunto de datos.
flag-R025 = Este oferente ganó { $ratio } de los { $denominator } procesos en los que presentó una oferta válida, en o por debajo del nivel inusual de { $fence }.
flag-R028 = Oferentes distintos ({ $tenderers }) presentaron ofertas con el mismo precio de { $amount } { $currency }.
flag-R030 = El ganador { $tenderer } presentó su oferta el { $biddate }, después del cierre de presentación del { $enddate }.
flag-R035 = Se descalificaron todas las ofertas salvo la del ganador ({ $winner }): { $count } oferente(s) más.
flag-R036 = Se descalificó la oferta más baja ({ $amount } { $currency }).
flag-R038 = Se descalificó { $ratio } de las { $denominator } ofertas presentadas, en o por encima del nivel inusual de { $fence }.
flag-R044 = Los oferentes { $first } y { $second } comparten { $basis } ({ $shared }).
flag-R048 = Este proveedor ganó contratos en { $categories } categorías de artículos distintas, en o por encima del nivel inusual de { $fence }.
flag-R055 = { $count } adjudicaciones directas a { $supplier } en { $window } días suman { $total } { $currency }, aunque cada una queda bajo el umbral de competencia de { $threshold } { $currency }.
flag-R058 = La oferta ganadora ({ $winning } { $currency }, de { $winner }) está muy por debajo de la segunda más baja ({ $second } { $currency }, de { $runnerup }), que es { $ratio } más alta; diferencias de { $fence } o más son inusuales en este conjunto de datos.
flag-ALP = El precio ganador de { $winner } ({ $price } { $currency }) está { $belowmean } % por debajo de la media de las demás ofertas iniciales ({ $mean } { $currency }) y { $belowrunner } % por debajo del segundo lugar ({ $runner } { $currency }).

## Bases de similitud (R044)

basis-address = la misma dirección postal
basis-email = el mismo correo de contacto
basis-telephone = el mismo teléfono de contacto
basis-identifier = el mismo identificador legal

## Por qué un indicador no fue aplicable

reason-missing_tender_period = el periodo de presentación no tiene fecha de inicio o de cierre
reason-invalid_date = una fecha no es RFC 3339 válida
reason-procurement_method_not_selected = la modalidad de compra no es una a la que se aplica el indicador
reason-missing_number_of_tenderers = no se publica el número de oferentes
reason-no_price_comparison_method = en esta modalidad no se comparan precios
reason-missing_bids = no se publican ofertas
reason-missing_awards = no se publican adjudicaciones
reason-awards_not_final = una adjudicación sigue pendiente
reason-not_one_active_award = no hay exactamente una adjudicación activa (o los lotes no indican qué ofertas compiten)
reason-not_one_supplier = la adjudicación no tiene exactamente un proveedor
reason-no_winning_bid = no hay oferta válida del ganador en la moneda principal
reason-no_other_valid_bid = no hay otra oferta válida en la moneda principal
reason-lowest_bid_did_not_win = la oferta más baja no ganó: la adjudicación no fue solo por precio
reason-fewer_than_two_priced_bids = menos de dos ofertas con precio y oferente
reason-missing_tender_end_date = no se publica el cierre de presentación
reason-no_active_award = ninguna adjudicación activa
reason-no_valid_priced_bid = ninguna oferta válida con precio en la moneda principal
reason-no_submitted_bids = ninguna oferta presentada
reason-not_one_valid_winner = no hay exactamente un oferente válido que además sea el ganador
reason-no_classified_items = ninguna adjudicación activa de un solo proveedor con artículos clasificados
reason-no_party_details = menos de dos oferentes descritos en parties
reason-not_a_direct_award = no es una adjudicación directa con valor y fecha
reason-fewer_than_two_bidders = menos de dos oferentes con precio

## Contratos abiertos y pedidos derivados (issue 14)

name-FA01 = Pedidos derivados fraccionados bajo el umbral de minicompetencia
name-FA02 = Puestos de la cascada saltados sin motivo válido
name-FA03 = Patrón de saltos en la cascada a favor de un proveedor
name-FA04 = Pedidos derivados concentrados en un proveedor del lote
name-FA05 = Uso por encima de la cantidad estimada
name-FA06 = Uso cercano al máximo del contrato abierto
name-FA07 = Contrato abierto más largo que el máximo del reglamento

flag-FA01 = { $count } pedidos derivados de la unidad { $unit } en el lote { $lot }, colocados entre el { $first } y el { $last } (ventana de { $window } días), suman { $total } { $currency }, aunque cada uno queda bajo el umbral de minicompetencia de { $threshold } { $currency }: { $calloffs }.
flag-FA02 = El pedido derivado { $calloff } (lote { $lot }, { $value } { $currency }) fue para { $supplier } después de saltar { $count ->
    [one] un puesto mejor
   *[other] { $count } puestos mejores
} sin motivo válido: { $skips }.
flag-FA03 = { $supplier } recibió { $count ->
    [one] un pedido derivado
   *[other] { $count } pedidos derivados
} ({ $value } { $currency }) después de que se saltaran sin motivo válido puestos mejores ({ $skipped }); { $minimum } o más forman un patrón: { $calloffs }.
flag-FA04 = { $supplier } recibió { $share } del valor de los pedidos derivados del lote { $lot } ({ $suppliervalue } de { $total } { $currency }; { $suppliercalloffs } de { $calloffs } pedidos), más del { $threshold }, en un lote con { $parties } proveedores{ $method ->
    [mini_competition] {" "}que compiten por cada pedido.
   *[other] , aunque no es el primero de la clasificación.
}
flag-FA05 = Del artículo «{ $item }» (lote { $lot }) se han pedido { $ordered }, más que la cantidad estimada de { $estimated }{ $percent ->
    [none] .
   *[other] {" "}({ $percent } más).
}
flag-FA06 = Del artículo «{ $item }» (lote { $lot }) se han pedido { $ordered } de un máximo de { $maximum } ({ $share }){ $state }
flag-FA06-value = Se han pedido { $ordered } { $currency } de un valor máximo de { $maximum } { $currency } ({ $share }){ $state }
flag-FA07 = El contrato abierto está vigente del { $start } al { $end }, { $months ->
    [one] 1 mes
   *[other] { $months } meses
}{ $days ->
    [0] {""}
    [one] {" "}y 1 día
   *[other] {" "}y { $days } días
}, más que el máximo de { $max } meses del reglamento{ $exception ->
    [none] , sin excepción citada.
   *[other] ; se citó la excepción «{ $exception }».
}

fa-party-ranked = { $name } (puesto { $rank })
fa-call-off = { $ocid } ({ $value } { $currency }, { $date })
fa-skip-no_response = { $party }, sin respuesta en el plazo de confirmación
fa-skip-declined = { $party }, rechazó con el motivo «{ $code }», que no es un motivo válido
fa-skip-declined_without_reason = { $party }, rechazó sin indicar motivo
fa-skip-unrecorded = { $party }, sin registro de oferta ni de rechazo
fa-maximum-near = ; desde el { $threshold } el uso está cerca del máximo.
fa-maximum-reached = : se alcanzó el máximo y el contrato abierto deja de surtir efecto.
fa-maximum-exceeded = , más que el máximo: alcanzado el máximo, el contrato abierto deja de surtir efecto.

reason-no_call_offs = el contrato abierto aún no tiene pedidos derivados
reason-no_lots = el contrato abierto no tiene lotes
reason-no_items = los lotes no tienen artículos
reason-no_mini_competition_threshold = el reglamento no fija un umbral de minicompetencia
reason-mini_competition_used = el pedido derivado se hizo por minicompetencia
reason-not_a_cascade = el pedido derivado no se asignó en cascada
reason-not_filled = ningún proveedor ha aceptado aún el pedido derivado
reason-no_cascade_call_offs = ningún pedido derivado en cascada ha sido aceptado
reason-single_supplier_lot = el lote tiene un solo proveedor
reason-too_few_call_offs = el lote tiene menos pedidos derivados aceptados que el mínimo
reason-no_call_off_value = los pedidos derivados aceptados del lote suman cero
reason-no_estimated_quantity = el artículo no indica una cantidad estimada
reason-no_maximum = no se indica una cantidad o un valor máximo positivo
reason-invalid_period = la vigencia termina antes de empezar
