//! The demo institution `serve --demo` seeds: an IGSS-like buyer, ~250 suppliers with
//! plausible Guatemalan names and valid NITs, a user for every role and a catalogue seed
//! (real INNs with their WHO ATC codes; supplies with UNSPSC classes).
//!
//! Seeding is idempotent: every record is looked up by its natural key (buyer identifier,
//! NIT, username, item code) and only missing ones are created, so running it twice changes
//! nothing. All names are fictional; any resemblance to real firms is coincidental.

use super::audit::{Publication, record};
use super::auth::hash_password;
use super::events::catalogue::CatalogueItemCreated;
use super::events::demo::BuyerCreated;
use super::events::suppliers::{Registered, SupplierRegistered};
use super::events::users::UserCreated;
use super::{Actor, ServiceError};
use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::domain::nit::Nit;
use crate::domain::role::Role;
use crate::domain::supplier::SupplierStatus;
use crate::domain::time::Timestamp;
use crate::domain::user::UserFields;
use crate::repository::buyers::NewBuyer;
use crate::repository::suppliers::NewSupplier;
use crate::repository::{Database, buyers, catalogue, suppliers, users};
use std::collections::BTreeSet;

/// Password of every demo account (printed at start-up in demo mode; never use in production).
pub const DEMO_PASSWORD: &str = "tianguis-demo";

/// Number of demo suppliers (the seed document's 2019 figure: 250 suppliers).
pub const DEMO_SUPPLIERS: usize = 250;

/// Identifier of the demo buyer.
pub const DEMO_BUYER_NIT: u64 = 3_352_021;

/// What a seeding run created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Buyers created.
    pub buyers: usize,
    /// Suppliers created.
    pub suppliers: usize,
    /// Users created.
    pub users: usize,
    /// Catalogue items created.
    pub catalogue_items: usize,
    /// Units of the institution created.
    pub units: usize,
    /// Suppliers' product cards created.
    pub product_cards: usize,
}

/// The 22 departments of Guatemala.
pub const DEPARTMENTS: [&str; 22] = [
    "Guatemala",
    "El Progreso",
    "Sacatepéquez",
    "Chimaltenango",
    "Escuintla",
    "Santa Rosa",
    "Sololá",
    "Totonicapán",
    "Quetzaltenango",
    "Suchitepéquez",
    "Retalhuleu",
    "San Marcos",
    "Huehuetenango",
    "Quiché",
    "Baja Verapaz",
    "Alta Verapaz",
    "Petén",
    "Izabal",
    "Zacapa",
    "Chiquimula",
    "Jalapa",
    "Jutiapa",
];

const FIRM_KINDS: [&str; 15] = [
    "Droguería",
    "Laboratorios",
    "Distribuidora",
    "Farmacéutica",
    "Importadora",
    "Corporación",
    "Suministros Médicos",
    "Comercializadora",
    "Grupo",
    "Inversiones",
    "Representaciones",
    "Tecnología Médica",
    "Servicios Hospitalarios",
    "Biomédica",
    "Equipos Médicos",
];

const FIRM_NAMES: [&str; 40] = [
    "San Rafael",
    "Maya",
    "Quetzal",
    "del Pacífico",
    "Centroamericana",
    "Atitlán",
    "Los Altos",
    "Chinautla",
    "Ixchel",
    "Tikal",
    "La Ermita",
    "San Cristóbal",
    "Santa Lucía",
    "El Progreso",
    "Montecristo",
    "Vida",
    "Salud Total",
    "Farmasur",
    "Medinorte",
    "Kukulkán",
    "Cobán",
    "Volcán de Agua",
    "Petén",
    "Izabal",
    "Zacapa",
    "Xelajú",
    "Esquipulas",
    "Antigua",
    "Jade",
    "Ceiba",
    "Lago Azul",
    "Monte Verde",
    "Sierra Madre",
    "Cuchumatanes",
    "Río Dulce",
    "Motagua",
    "Sololá",
    "Retalhuleu",
    "Mazatenango",
    "Chimaltenango",
];

const LEGAL_FORMS: [&str; 4] = ["S.A.", "Sociedad Anónima", "S.A.", "Ltda."];

/// The demo supplier number `i` (0-based): name, NIT, status, department. Deterministic, and
/// unique for every `i` below `15 * 20`.
pub fn demo_supplier(i: usize) -> (String, Nit, SupplierStatus, &'static str) {
    let kind = FIRM_KINDS[i % 15];
    let q = i / 15;
    let name = FIRM_NAMES[(6 * q + 3 * (i % 15)) % 40];
    let form = LEGAL_FORMS[(i / 7) % 4];
    let status = match i % 25 {
        7 | 19 => SupplierStatus::Pending,
        13 if i > 100 => SupplierStatus::Suspended,
        _ => SupplierStatus::Verified,
    };
    (
        format!("{kind} {name}, {form}"),
        Nit::from_body(4_100_000 + i as u64 * 37_171),
        status,
        DEPARTMENTS[(i * 5) % 22],
    )
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'Ú' | 'ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        }
        if out.len() >= 24 {
            break;
        }
    }
    out
}

/// (username, display name, roles, index of the bound demo supplier).
type DemoUser = (&'static str, &'static str, &'static [Role], Option<usize>);

/// One account per role, several where the role is a committee or a market.
pub const DEMO_USERS: &[DemoUser] = &[
    (
        "admin",
        "Administración del sistema",
        &[Role::Administrator],
        None,
    ),
    ("compras", "Marta Xicará (Compras)", &[Role::Buyer], None),
    (
        "compras2",
        "Julio Cifuentes (Compras)",
        &[Role::Buyer],
        None,
    ),
    (
        "evaluador1",
        "Ana Lucía Pérez (Junta)",
        &[Role::Evaluator],
        None,
    ),
    ("evaluador2", "Carlos Ajú (Junta)", &[Role::Evaluator], None),
    (
        "evaluador3",
        "Sofía Morales (Junta)",
        &[Role::Evaluator],
        None,
    ),
    (
        "proveedor1",
        "Ventas — proveedor 1",
        &[Role::Supplier],
        Some(0),
    ),
    (
        "proveedor2",
        "Ventas — proveedor 2",
        &[Role::Supplier],
        Some(1),
    ),
    (
        "proveedor3",
        "Ventas — proveedor 3",
        &[Role::Supplier],
        Some(2),
    ),
    (
        "proveedor4",
        "Ventas — proveedor 4",
        &[Role::Supplier],
        Some(3),
    ),
    (
        "bodega",
        "Luis Tuyuc (Almacén central)",
        &[Role::Warehouse],
        None,
    ),
    (
        "farmacia",
        "Ana Lucía Pérez (Farmacia, Hospital General de Enfermedades)",
        &[Role::UnitUser],
        None,
    ),
    (
        "farmacia2",
        "Julio Say (Farmacia, hospitales de Quetzaltenango y Coatepeque)",
        &[Role::UnitUser],
        None,
    ),
    (
        "analista",
        "Irene Chávez (Inteligencia de mercado)",
        &[Role::Analyst],
        None,
    ),
    (
        "observador",
        "Observatorio ciudadano",
        &[Role::Observer],
        None,
    ),
];

/// (INN, strength, form, presentation, unit, ATC, level of care).
type Medicine = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

/// A seed of the basic medicines list.
pub const MEDICINES: &[Medicine] = &[
    (
        "Paracetamol",
        "500 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "N02BE01",
        1,
    ),
    (
        "Paracetamol",
        "120 mg/5 mL",
        "jarabe",
        "frasco 120 mL",
        "frasco",
        "N02BE01",
        1,
    ),
    (
        "Ibuprofeno",
        "400 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "M01AE01",
        1,
    ),
    (
        "Diclofenaco sódico",
        "75 mg/3 mL",
        "solución inyectable",
        "ampolla 3 mL",
        "ampolla",
        "M01AB05",
        2,
    ),
    (
        "Amoxicilina",
        "500 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "J01CA04",
        1,
    ),
    (
        "Amoxicilina",
        "250 mg/5 mL",
        "polvo para suspensión oral",
        "frasco 100 mL",
        "frasco",
        "J01CA04",
        1,
    ),
    (
        "Amoxicilina + ácido clavulánico",
        "875 mg + 125 mg",
        "tableta",
        "blíster x 14",
        "tableta",
        "J01CR02",
        2,
    ),
    (
        "Ceftriaxona",
        "1 g",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "J01DD04",
        2,
    ),
    (
        "Ciprofloxacina",
        "500 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "J01MA02",
        2,
    ),
    (
        "Azitromicina",
        "500 mg",
        "tableta",
        "blíster x 3",
        "tableta",
        "J01FA10",
        2,
    ),
    (
        "Clindamicina",
        "300 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "J01FF01",
        2,
    ),
    (
        "Metronidazol",
        "500 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "P01AB01",
        1,
    ),
    (
        "Sulfametoxazol + trimetoprima",
        "800 mg + 160 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "J01EE01",
        1,
    ),
    (
        "Vancomicina",
        "500 mg",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "J01XA01",
        3,
    ),
    (
        "Meropenem",
        "1 g",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "J01DH02",
        3,
    ),
    (
        "Fluconazol",
        "150 mg",
        "cápsula",
        "blíster x 1",
        "cápsula",
        "J02AC01",
        1,
    ),
    (
        "Aciclovir",
        "400 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "J05AB01",
        2,
    ),
    (
        "Metformina",
        "850 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "A10BA02",
        1,
    ),
    (
        "Glibenclamida",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "A10BB01",
        1,
    ),
    (
        "Insulina humana isófana (NPH)",
        "100 UI/mL",
        "suspensión inyectable",
        "vial 10 mL",
        "vial",
        "A10AC01",
        1,
    ),
    (
        "Insulina humana regular",
        "100 UI/mL",
        "solución inyectable",
        "vial 10 mL",
        "vial",
        "A10AB01",
        2,
    ),
    (
        "Enalapril",
        "20 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C09AA02",
        1,
    ),
    (
        "Losartán potásico",
        "50 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C09CA01",
        1,
    ),
    (
        "Amlodipino",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C08CA01",
        1,
    ),
    (
        "Hidroclorotiazida",
        "25 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C03AA03",
        1,
    ),
    (
        "Furosemida",
        "40 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C03CA01",
        1,
    ),
    (
        "Espironolactona",
        "25 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C03DA01",
        2,
    ),
    (
        "Atorvastatina",
        "20 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C10AA05",
        1,
    ),
    (
        "Ácido acetilsalicílico",
        "100 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "B01AC06",
        1,
    ),
    (
        "Clopidogrel",
        "75 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "B01AC04",
        2,
    ),
    (
        "Warfarina",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "B01AA03",
        2,
    ),
    (
        "Enoxaparina sódica",
        "40 mg/0.4 mL",
        "solución inyectable",
        "jeringa prellenada",
        "jeringa",
        "B01AB05",
        2,
    ),
    (
        "Heparina sódica",
        "5 000 UI/mL",
        "solución inyectable",
        "vial 5 mL",
        "vial",
        "B01AB01",
        2,
    ),
    (
        "Metoprolol tartrato",
        "100 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C07AB02",
        1,
    ),
    (
        "Carvedilol",
        "25 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C07AG02",
        2,
    ),
    (
        "Digoxina",
        "0.25 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C01AA05",
        2,
    ),
    (
        "Nitroglicerina",
        "0.5 mg",
        "tableta sublingual",
        "frasco x 25",
        "tableta",
        "C01DA02",
        2,
    ),
    (
        "Omeprazol",
        "20 mg",
        "cápsula",
        "blíster x 14",
        "cápsula",
        "A02BC01",
        1,
    ),
    (
        "Omeprazol",
        "40 mg",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "A02BC01",
        2,
    ),
    (
        "Metoclopramida",
        "10 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "A03FA01",
        1,
    ),
    (
        "Ondansetrón",
        "8 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "A04AA01",
        2,
    ),
    (
        "Loperamida",
        "2 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "A07DA03",
        1,
    ),
    (
        "Sales de rehidratación oral",
        "20.5 g",
        "polvo para solución oral",
        "sobre",
        "sobre",
        "A07CA",
        1,
    ),
    (
        "Salbutamol",
        "100 mcg/dosis",
        "aerosol para inhalación",
        "inhalador 200 dosis",
        "inhalador",
        "R03AC02",
        1,
    ),
    (
        "Beclometasona dipropionato",
        "250 mcg/dosis",
        "aerosol para inhalación",
        "inhalador 200 dosis",
        "inhalador",
        "R03BA01",
        2,
    ),
    (
        "Loratadina",
        "10 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "R06AX13",
        1,
    ),
    (
        "Prednisona",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "H02AB07",
        1,
    ),
    (
        "Dexametasona",
        "4 mg/mL",
        "solución inyectable",
        "ampolla 2 mL",
        "ampolla",
        "H02AB02",
        2,
    ),
    (
        "Hidrocortisona succinato sódico",
        "100 mg",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "H02AB09",
        2,
    ),
    (
        "Levotiroxina sódica",
        "100 mcg",
        "tableta",
        "blíster x 30",
        "tableta",
        "H03AA01",
        2,
    ),
    (
        "Carbamazepina",
        "200 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "N03AF01",
        2,
    ),
    (
        "Fenitoína sódica",
        "100 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "N03AB02",
        2,
    ),
    (
        "Ácido valproico",
        "250 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "N03AG01",
        2,
    ),
    (
        "Sertralina",
        "50 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "N06AB06",
        2,
    ),
    (
        "Fluoxetina",
        "20 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "N06AB03",
        2,
    ),
    (
        "Haloperidol",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "N05AD01",
        3,
    ),
    (
        "Diazepam",
        "10 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "N05BA01",
        2,
    ),
    (
        "Morfina sulfato",
        "10 mg/mL",
        "solución inyectable",
        "ampolla 1 mL",
        "ampolla",
        "N02AA01",
        3,
    ),
    (
        "Tramadol",
        "50 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "N02AX02",
        2,
    ),
    (
        "Lidocaína clorhidrato",
        "2 %",
        "solución inyectable",
        "vial 50 mL",
        "vial",
        "N01BB02",
        2,
    ),
    (
        "Ketamina",
        "50 mg/mL",
        "solución inyectable",
        "vial 10 mL",
        "vial",
        "N01AX03",
        3,
    ),
    (
        "Propofol",
        "10 mg/mL",
        "emulsión inyectable",
        "ampolla 20 mL",
        "ampolla",
        "N01AX10",
        3,
    ),
    (
        "Sulfato ferroso",
        "300 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "B03AA07",
        1,
    ),
    (
        "Ácido fólico",
        "5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "B03BB01",
        1,
    ),
    (
        "Epoetina alfa",
        "4 000 UI",
        "solución inyectable",
        "jeringa prellenada",
        "jeringa",
        "B03XA01",
        3,
    ),
    (
        "Cloruro de sodio",
        "0.9 %",
        "solución para infusión",
        "bolsa 1 000 mL",
        "bolsa",
        "B05BB01",
        1,
    ),
    (
        "Dextrosa",
        "5 %",
        "solución para infusión",
        "bolsa 1 000 mL",
        "bolsa",
        "B05BA03",
        1,
    ),
    (
        "Solución Hartmann (lactato de Ringer)",
        "—",
        "solución para infusión",
        "bolsa 1 000 mL",
        "bolsa",
        "B05BB01",
        1,
    ),
    (
        "Oxitocina",
        "10 UI/mL",
        "solución inyectable",
        "ampolla 1 mL",
        "ampolla",
        "H01BB02",
        1,
    ),
    (
        "Misoprostol",
        "200 mcg",
        "tableta",
        "blíster x 4",
        "tableta",
        "G02AD06",
        2,
    ),
    (
        "Medroxiprogesterona acetato",
        "150 mg/mL",
        "suspensión inyectable",
        "vial 1 mL",
        "vial",
        "G03AC06",
        1,
    ),
    (
        "Tamoxifeno",
        "20 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "L02BA01",
        3,
    ),
    (
        "Metotrexato",
        "2.5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "L01BA01",
        3,
    ),
    (
        "Ciclofosfamida",
        "1 g",
        "polvo para solución inyectable",
        "vial",
        "vial",
        "L01AA01",
        3,
    ),
    (
        "Efavirenz + emtricitabina + tenofovir disoproxilo",
        "600 mg + 200 mg + 300 mg",
        "tableta",
        "frasco x 30",
        "tableta",
        "J05AR06",
        3,
    ),
    (
        "Isoniazida",
        "300 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "J04AC01",
        1,
    ),
    (
        "Rifampicina",
        "300 mg",
        "cápsula",
        "blíster x 10",
        "cápsula",
        "J04AB02",
        1,
    ),
    (
        "Albendazol",
        "400 mg",
        "tableta",
        "blíster x 1",
        "tableta",
        "P02CA03",
        1,
    ),
    (
        "Permetrina",
        "5 %",
        "crema",
        "tubo 60 g",
        "tubo",
        "P03AC04",
        1,
    ),
    (
        "Timolol maleato",
        "0.5 %",
        "solución oftálmica",
        "frasco gotero 5 mL",
        "frasco",
        "S01ED01",
        2,
    ),
    (
        "Alopurinol",
        "300 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "M04AA01",
        1,
    ),
    (
        "Colchicina",
        "0.5 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "M04AC01",
        2,
    ),
    (
        "Captopril",
        "25 mg",
        "tableta",
        "blíster x 10",
        "tableta",
        "C09AA01",
        1,
    ),
];

/// (description, presentation, unit, UNSPSC class, level of care).
type Supply = (&'static str, &'static str, &'static str, &'static str, i64);

/// A seed of hospital supplies (material médico-quirúrgico), classified at UNSPSC class level.
pub const SUPPLIES: &[Supply] = &[
    (
        "Jeringa descartable 5 mL con aguja 21G x 1½\"",
        "caja x 100",
        "unidad",
        "42142500",
        1,
    ),
    (
        "Jeringa descartable 10 mL con aguja 21G x 1½\"",
        "caja x 100",
        "unidad",
        "42142500",
        1,
    ),
    (
        "Jeringa para insulina 1 mL con aguja 29G",
        "caja x 100",
        "unidad",
        "42142500",
        1,
    ),
    (
        "Aguja hipodérmica descartable 23G x 1\"",
        "caja x 100",
        "unidad",
        "42142500",
        1,
    ),
    (
        "Guante de examen de nitrilo sin polvo, talla M",
        "caja x 100",
        "unidad",
        "42132200",
        1,
    ),
    (
        "Guante quirúrgico estéril de látex, talla 7½",
        "caja x 50 pares",
        "par",
        "42132200",
        2,
    ),
    (
        "Gasa estéril 10 x 10 cm, 12 capas",
        "paquete x 10",
        "paquete",
        "42311500",
        1,
    ),
    (
        "Venda elástica 10 cm x 5 m",
        "unidad",
        "unidad",
        "42311500",
        1,
    ),
    (
        "Apósito transparente adhesivo 6 x 7 cm",
        "caja x 100",
        "unidad",
        "42311500",
        2,
    ),
    (
        "Catéter intravenoso periférico 20G",
        "caja x 50",
        "unidad",
        "42221500",
        1,
    ),
    (
        "Catéter intravenoso periférico 22G",
        "caja x 50",
        "unidad",
        "42221500",
        1,
    ),
    (
        "Equipo de venoclisis macrogoteo",
        "unidad",
        "unidad",
        "42221600",
        1,
    ),
    (
        "Sonda Foley 2 vías 16 Fr",
        "unidad",
        "unidad",
        "42231500",
        2,
    ),
    (
        "Sonda nasogástrica 16 Fr",
        "unidad",
        "unidad",
        "42231500",
        2,
    ),
    (
        "Sutura de poliglactina 910, 2-0, aguja cortante",
        "caja x 12",
        "unidad",
        "42312200",
        2,
    ),
    (
        "Sutura de nailon monofilamento 3-0",
        "caja x 12",
        "unidad",
        "42312200",
        2,
    ),
    (
        "Hoja de bisturí n.º 15 estéril",
        "caja x 100",
        "unidad",
        "42291600",
        2,
    ),
    (
        "Mascarilla quirúrgica de 3 capas",
        "caja x 50",
        "unidad",
        "42131700",
        1,
    ),
    ("Respirador N95", "caja x 20", "unidad", "42131700", 1),
    (
        "Bata quirúrgica desechable estéril, talla L",
        "unidad",
        "unidad",
        "42131600",
        2,
    ),
    (
        "Mascarilla de oxígeno con reservorio, adulto",
        "unidad",
        "unidad",
        "42271700",
        2,
    ),
    (
        "Cánula nasal de oxígeno, adulto",
        "unidad",
        "unidad",
        "42271700",
        1,
    ),
    (
        "Tira reactiva para glucómetro",
        "frasco x 50",
        "tira",
        "41116100",
        1,
    ),
    (
        "Frasco para recolección de orina estéril 100 mL",
        "caja x 100",
        "unidad",
        "41104100",
        1,
    ),
    (
        "Tubo de extracción al vacío con EDTA 4 mL",
        "caja x 100",
        "unidad",
        "41104100",
        1,
    ),
    (
        "Termómetro digital clínico",
        "unidad",
        "unidad",
        "42182200",
        1,
    ),
    (
        "Esparadrapo de tela 5 cm x 4.5 m",
        "unidad",
        "unidad",
        "42311500",
        1,
    ),
    ("Alcohol etílico 70 %", "galón", "galón", "51471900", 1),
    (
        "Clorhexidina gluconato 2 % solución",
        "frasco 1 L",
        "frasco",
        "51471900",
        2,
    ),
    (
        "Bolsa colectora de orina 2 000 mL",
        "unidad",
        "unidad",
        "42231500",
        2,
    ),
];

/// The catalogue seed as items (medicines first, then supplies), with stable codes.
pub fn catalogue_seed() -> Vec<CatalogueItem> {
    let medicines = MEDICINES.iter().enumerate().map(
        |(i, &(name, strength, form, presentation, unit, atc, level))| CatalogueItem {
            id: 0,
            code: format!("MED-{:04}", i + 1),
            kind: ItemKind::Medicine,
            name: name.to_string(),
            strength: Some(strength.to_string()),
            form: Some(form.to_string()),
            presentation: Some(presentation.to_string()),
            unit: unit.to_string(),
            atc_code: Some(atc.to_string()),
            unspsc_code: None,
            level_of_care: Some(level),
        },
    );
    let supplies =
        SUPPLIES
            .iter()
            .enumerate()
            .map(
                |(i, &(name, presentation, unit, unspsc, level))| CatalogueItem {
                    id: 0,
                    code: format!("MQ-{:04}", i + 1),
                    kind: ItemKind::Supply,
                    name: name.to_string(),
                    strength: None,
                    form: None,
                    presentation: Some(presentation.to_string()),
                    unit: unit.to_string(),
                    atc_code: None,
                    unspsc_code: Some(unspsc.to_string()),
                    level_of_care: Some(level),
                },
            );
    medicines.chain(supplies).collect()
}

/// Seeds whatever part of the demo institution is missing, in one transaction.
pub async fn seed(db: &Database) -> Result<SeedReport, ServiceError> {
    let actor = Actor::System("demo");
    let mut report = SeedReport::default();
    // Hash the shared demo password once, before the write transaction (hashing is slow).
    let password_hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    let now = Timestamp::now();
    let mut tx = db.begin().await?;

    let buyer_nit = Nit::from_body(DEMO_BUYER_NIT).to_string();
    if buyers::find_by_identifier(&mut tx, &buyer_nit)
        .await?
        .is_none()
    {
        buyers::insert(
            &mut tx,
            &NewBuyer {
                name: "Instituto de Seguridad Social de Guatemala (demostración)",
                short_name: "ISSG",
                identifier_scheme: "GT-NIT",
                identifier: &buyer_nit,
                department: Some("Guatemala"),
            },
            now,
        )
        .await?;
        let buyer = buyers::find_by_identifier(&mut tx, &buyer_nit)
            .await?
            .ok_or(ServiceError::NotFound)?;
        record(
            &mut tx,
            &actor,
            &BuyerCreated { buyer: &buyer },
            Publication::None,
        )
        .await?;
        report.buyers += 1;
    }

    let mut supplier_ids = Vec::with_capacity(DEMO_SUPPLIERS);
    for i in 0..DEMO_SUPPLIERS {
        let (name, nit, status, department) = demo_supplier(i);
        let nit = nit.to_string();
        if let Some(existing) = suppliers::find_by_nit(&mut tx, &nit).await? {
            supplier_ids.push(existing.id);
            continue;
        }
        let email = format!("ventas@{}.com.gt", slug(&name));
        let phone = format!("+502 2{:03}-{:04}", (i * 37) % 1000, (i * 7919) % 10_000);
        let id = suppliers::insert(
            &mut tx,
            &NewSupplier {
                legal_name: &name,
                nit: &nit,
                status,
                email: Some(&email),
                phone: Some(&phone),
                department: Some(department),
            },
            now,
        )
        .await?;
        let created = suppliers::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let event = SupplierRegistered {
            registered: Registered::Seeded(&created),
        };
        record(&mut tx, &actor, &event, Publication::None).await?;
        supplier_ids.push(id);
        report.suppliers += 1;
    }

    for &(username, display_name, roles, supplier) in DEMO_USERS {
        if users::find_for_login(&mut tx, username).await?.is_some() {
            continue;
        }
        let fields = UserFields {
            username: username.to_string(),
            display_name: display_name.to_string(),
            email: Some(format!("{username}@demo.tianguis.gt")),
            roles: roles.iter().copied().collect::<BTreeSet<Role>>(),
            supplier_id: supplier.and_then(|i| supplier_ids.get(i).copied()),
        };
        let id = users::insert(&mut tx, &fields, &password_hash, now).await?;
        let created = users::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        record(
            &mut tx,
            &actor,
            &UserCreated { user: &created },
            Publication::None,
        )
        .await?;
        report.users += 1;
    }

    for item in catalogue_seed() {
        if catalogue::exists(&mut tx, &item.code).await? {
            continue;
        }
        let id = catalogue::insert(&mut tx, &item, now).await?;
        let item = CatalogueItem { id, ..item };
        record(
            &mut tx,
            &actor,
            &CatalogueItemCreated { item: &item },
            Publication::None,
        )
        .await?;
        report.catalogue_items += 1;
    }
    let buyer = buyers::find_by_identifier(&mut tx, &buyer_nit)
        .await?
        .ok_or(ServiceError::NotFound)?;
    report.units = super::demo_units::seed(&mut tx, &actor, buyer.id, now).await?;
    report.product_cards = super::demo_products::seed(&mut tx, &actor, now).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_suppliers_are_unique_and_valid() {
        let mut names = HashSet::new();
        let mut nits = HashSet::new();
        for i in 0..DEMO_SUPPLIERS {
            let (name, nit, _, _) = demo_supplier(i);
            assert!(names.insert(name.clone()), "duplicate name {name}");
            assert!(nits.insert(nit.to_string()));
            assert_eq!(Nit::parse(&nit.to_string()), Ok(nit));
        }
    }

    #[test]
    fn catalogue_codes_are_unique() {
        let items = catalogue_seed();
        let codes: HashSet<_> = items.iter().map(|i| i.code.clone()).collect();
        assert_eq!(codes.len(), items.len());
        assert!(items.len() > 100);
    }

    #[test]
    fn every_role_has_a_demo_user() {
        for role in Role::ALL {
            assert!(DEMO_USERS.iter().any(|u| u.2.contains(&role)), "{role:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Droguería Atitlán, S.A."), "drogueriaatitlansa");
    }
}
