//! Reference unit prices of the demo catalogue (issue 13: "gloves at Q 341.88 each" made a
//! journalist stop trusting the numbers). Every price the demo year generates — planned,
//! estimated, bid, awarded — stays within a band around these (see `demo_year::PRICE_BAND`).
//!
//! They are **demo values**: our estimate of what a Guatemalan public health institution pays
//! per unit (GTQ, VAT included), in the order of magnitude of published public purchases of
//! generic medicines and supplies, not quotations from any source a price could be checked
//! against. Their source and date travel with them ([`REFERENCE_PRICE_SOURCE`],
//! [`REFERENCE_PRICE_DATE`]).

use rust_decimal::Decimal;
use std::str::FromStr;

/// Where the reference prices come from: stated on purpose as a demo estimate.
pub const REFERENCE_PRICE_SOURCE: &str =
    "Valor de demostración: estimación del precio unitario en compras públicas de Guatemala";

/// When the estimate was made (ISO 8601 date).
pub const REFERENCE_PRICE_DATE: &str = "2026-12-07";

/// (catalogue code, price per catalogue unit in GTQ), in the order of the catalogue seed.
pub const REFERENCE_PRICES: &[(&str, &str)] = &[
    ("MED-0001", "0.12"),  // Paracetamol 500 mg, tableta
    ("MED-0002", "6.50"),  // Paracetamol 120 mg/5 mL, frasco
    ("MED-0003", "0.20"),  // Ibuprofeno 400 mg, tableta
    ("MED-0004", "1.75"),  // Diclofenaco sódico 75 mg/3 mL, ampolla
    ("MED-0005", "0.35"),  // Amoxicilina 500 mg, cápsula
    ("MED-0006", "9.50"),  // Amoxicilina 250 mg/5 mL, frasco
    ("MED-0007", "2.10"),  // Amoxicilina + ácido clavulánico 875 mg + 125 mg, tableta
    ("MED-0008", "6.00"),  // Ceftriaxona 1 g, vial
    ("MED-0009", "0.45"),  // Ciprofloxacina 500 mg, tableta
    ("MED-0010", "1.90"),  // Azitromicina 500 mg, tableta
    ("MED-0011", "1.10"),  // Clindamicina 300 mg, cápsula
    ("MED-0012", "0.25"),  // Metronidazol 500 mg, tableta
    ("MED-0013", "0.30"),  // Sulfametoxazol + trimetoprima 800 mg + 160 mg, tableta
    ("MED-0014", "18.00"), // Vancomicina 500 mg, vial
    ("MED-0015", "45.00"), // Meropenem 1 g, vial
    ("MED-0016", "1.20"),  // Fluconazol 150 mg, cápsula
    ("MED-0017", "0.70"),  // Aciclovir 400 mg, tableta
    ("MED-0018", "0.12"),  // Metformina 850 mg, tableta
    ("MED-0019", "0.06"),  // Glibenclamida 5 mg, tableta
    ("MED-0020", "38.00"), // Insulina humana isófana (NPH) 100 UI/mL, vial
    ("MED-0021", "40.00"), // Insulina humana regular 100 UI/mL, vial
    ("MED-0022", "0.08"),  // Enalapril 20 mg, tableta
    ("MED-0023", "0.15"),  // Losartán potásico 50 mg, tableta
    ("MED-0024", "0.10"),  // Amlodipino 5 mg, tableta
    ("MED-0025", "0.05"),  // Hidroclorotiazida 25 mg, tableta
    ("MED-0026", "0.07"),  // Furosemida 40 mg, tableta
    ("MED-0027", "0.25"),  // Espironolactona 25 mg, tableta
    ("MED-0028", "0.30"),  // Atorvastatina 20 mg, tableta
    ("MED-0029", "0.05"),  // Ácido acetilsalicílico 100 mg, tableta
    ("MED-0030", "0.40"),  // Clopidogrel 75 mg, tableta
    ("MED-0031", "0.35"),  // Warfarina 5 mg, tableta
    ("MED-0032", "28.00"), // Enoxaparina sódica 40 mg/0.4 mL, jeringa
    ("MED-0033", "22.00"), // Heparina sódica 5 000 UI/mL, vial
    ("MED-0034", "0.15"),  // Metoprolol tartrato 100 mg, tableta
    ("MED-0035", "0.20"),  // Carvedilol 25 mg, tableta
    ("MED-0036", "0.20"),  // Digoxina 0.25 mg, tableta
    ("MED-0037", "0.60"),  // Nitroglicerina 0.5 mg, tableta
    ("MED-0038", "0.12"),  // Omeprazol 20 mg, cápsula
    ("MED-0039", "12.00"), // Omeprazol 40 mg, vial
    ("MED-0040", "0.08"),  // Metoclopramida 10 mg, tableta
    ("MED-0041", "0.90"),  // Ondansetrón 8 mg, tableta
    ("MED-0042", "0.10"),  // Loperamida 2 mg, tableta
    ("MED-0043", "1.25"),  // Sales de rehidratación oral 20.5 g, sobre
    ("MED-0044", "18.00"), // Salbutamol 100 mcg/dosis, inhalador
    ("MED-0045", "45.00"), // Beclometasona dipropionato 250 mcg/dosis, inhalador
    ("MED-0046", "0.08"),  // Loratadina 10 mg, tableta
    ("MED-0047", "0.06"),  // Prednisona 5 mg, tableta
    ("MED-0048", "1.60"),  // Dexametasona 4 mg/mL, ampolla
    ("MED-0049", "9.00"),  // Hidrocortisona succinato sódico 100 mg, vial
    ("MED-0050", "0.30"),  // Levotiroxina sódica 100 mcg, tableta
    ("MED-0051", "0.25"),  // Carbamazepina 200 mg, tableta
    ("MED-0052", "0.30"),  // Fenitoína sódica 100 mg, cápsula
    ("MED-0053", "0.60"),  // Ácido valproico 250 mg, cápsula
    ("MED-0054", "0.25"),  // Sertralina 50 mg, tableta
    ("MED-0055", "0.15"),  // Fluoxetina 20 mg, cápsula
    ("MED-0056", "0.15"),  // Haloperidol 5 mg, tableta
    ("MED-0057", "0.12"),  // Diazepam 10 mg, tableta
    ("MED-0058", "8.50"),  // Morfina sulfato 10 mg/mL, ampolla
    ("MED-0059", "0.30"),  // Tramadol 50 mg, cápsula
    ("MED-0060", "14.00"), // Lidocaína clorhidrato 2 %, vial
    ("MED-0061", "35.00"), // Ketamina 50 mg/mL, vial
    ("MED-0062", "16.00"), // Propofol 10 mg/mL, ampolla
    ("MED-0063", "0.05"),  // Sulfato ferroso 300 mg, tableta
    ("MED-0064", "0.04"),  // Ácido fólico 5 mg, tableta
    ("MED-0065", "95.00"), // Epoetina alfa 4 000 UI, jeringa
    ("MED-0066", "7.50"),  // Cloruro de sodio 0.9 %, bolsa
    ("MED-0067", "7.80"),  // Dextrosa 5 %, bolsa
    ("MED-0068", "8.00"),  // Solución Hartmann (lactato de Ringer) —, bolsa
    ("MED-0069", "2.20"),  // Oxitocina 10 UI/mL, ampolla
    ("MED-0070", "3.50"),  // Misoprostol 200 mcg, tableta
    ("MED-0071", "9.50"),  // Medroxiprogesterona acetato 150 mg/mL, vial
    ("MED-0072", "0.90"),  // Tamoxifeno 20 mg, tableta
    ("MED-0073", "0.80"),  // Metotrexato 2.5 mg, tableta
    ("MED-0074", "85.00"), // Ciclofosfamida 1 g, vial
    ("MED-0075", "3.20"), // Efavirenz + emtricitabina + tenofovir disoproxilo 600 mg + 200 mg + 300 mg, tableta
    ("MED-0076", "0.15"), // Isoniazida 300 mg, tableta
    ("MED-0077", "0.45"), // Rifampicina 300 mg, cápsula
    ("MED-0078", "0.50"), // Albendazol 400 mg, tableta
    ("MED-0079", "22.00"), // Permetrina 5 %, tubo
    ("MED-0080", "12.00"), // Timolol maleato 0.5 %, frasco
    ("MED-0081", "0.15"), // Alopurinol 300 mg, tableta
    ("MED-0082", "0.25"), // Colchicina 0.5 mg, tableta
    ("MED-0083", "0.06"), // Captopril 25 mg, tableta
    ("MQ-0001", "0.55"),  // Jeringa descartable 5 mL con aguja 21G x 1½", unidad
    ("MQ-0002", "0.75"),  // Jeringa descartable 10 mL con aguja 21G x 1½", unidad
    ("MQ-0003", "0.65"),  // Jeringa para insulina 1 mL con aguja 29G, unidad
    ("MQ-0004", "0.20"),  // Aguja hipodérmica descartable 23G x 1", unidad
    ("MQ-0005", "0.85"),  // Guante de examen de nitrilo sin polvo, talla M, unidad
    ("MQ-0006", "3.20"),  // Guante quirúrgico estéril de látex, talla 7½, par
    ("MQ-0007", "4.50"),  // Gasa estéril 10 x 10 cm, 12 capas, paquete
    ("MQ-0008", "6.50"),  // Venda elástica 10 cm x 5 m, unidad
    ("MQ-0009", "2.40"),  // Apósito transparente adhesivo 6 x 7 cm, unidad
    ("MQ-0010", "3.50"),  // Catéter intravenoso periférico 20G, unidad
    ("MQ-0011", "3.50"),  // Catéter intravenoso periférico 22G, unidad
    ("MQ-0012", "4.20"),  // Equipo de venoclisis macrogoteo, unidad
    ("MQ-0013", "8.50"),  // Sonda Foley 2 vías 16 Fr, unidad
    ("MQ-0014", "3.80"),  // Sonda nasogástrica 16 Fr, unidad
    ("MQ-0015", "28.00"), // Sutura de poliglactina 910, 2-0, aguja cortante, unidad
    ("MQ-0016", "9.50"),  // Sutura de nailon monofilamento 3-0, unidad
    ("MQ-0017", "0.90"),  // Hoja de bisturí n.º 15 estéril, unidad
    ("MQ-0018", "0.40"),  // Mascarilla quirúrgica de 3 capas, unidad
    ("MQ-0019", "6.50"),  // Respirador N95, unidad
    ("MQ-0020", "32.00"), // Bata quirúrgica desechable estéril, talla L, unidad
    ("MQ-0021", "14.00"), // Mascarilla de oxígeno con reservorio, adulto, unidad
    ("MQ-0022", "4.50"),  // Cánula nasal de oxígeno, adulto, unidad
    ("MQ-0023", "2.25"),  // Tira reactiva para glucómetro, tira
    ("MQ-0024", "0.95"),  // Frasco para recolección de orina estéril 100 mL, unidad
    ("MQ-0025", "1.15"),  // Tubo de extracción al vacío con EDTA 4 mL, unidad
    ("MQ-0026", "28.00"), // Termómetro digital clínico, unidad
    ("MQ-0027", "9.00"),  // Esparadrapo de tela 5 cm x 4.5 m, unidad
    ("MQ-0028", "48.00"), // Alcohol etílico 70 %, galón
    ("MQ-0029", "55.00"), // Clorhexidina gluconato 2 % solución, frasco
    ("MQ-0030", "6.00"),  // Bolsa colectora de orina 2 000 mL, unidad
];

/// The reference unit price of a demo catalogue item, by its code.
pub fn reference_price(code: &str) -> Option<Decimal> {
    REFERENCE_PRICES
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, p)| Decimal::from_str(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item of the demo catalogue has exactly one positive reference price.
    #[test]
    fn every_demo_item_has_a_reference_price() {
        let seed = crate::service::demo::catalogue_seed();
        assert_eq!(seed.len(), REFERENCE_PRICES.len());
        for item in seed {
            let price = reference_price(&item.code).unwrap_or_default();
            assert!(
                price > Decimal::ZERO,
                "{} has no reference price",
                item.code
            );
        }
    }

    /// The examples issue 13 names: paracetamol 500 mg about Q 0.10–0.30 a tablet, examination
    /// gloves about Q 0.60–1.50 a glove.
    #[test]
    fn prices_are_in_the_expected_ranges() {
        let p = |c| reference_price(c).unwrap();
        assert!((Decimal::new(10, 2)..=Decimal::new(30, 2)).contains(&p("MED-0001")));
        assert!((Decimal::new(60, 2)..=Decimal::new(150, 2)).contains(&p("MQ-0005")));
    }
}
