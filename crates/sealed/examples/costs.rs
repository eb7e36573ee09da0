//! Prints what the expensive steps cost on this machine, so the service can size its rate limits
//! (every passphrase attempt costs one Argon2id run) and the opening's progress display.
//!
//! `cargo run --release -p tianguis-sealed --example costs`

use std::time::Instant;

use tianguis_sealed::{
    CommitteeMember, KdfParams, MemberKey, TenderSealingKey, seal, shamir::Share,
};

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let start = Instant::now();
    let mut last = None;
    for _ in 0..runs {
        last = Some(f());
    }
    let per_run = start.elapsed() / runs;
    println!("{label:<64} {:>10.3} ms", per_run.as_secs_f64() * 1e3);
    last.expect("at least one run")
}

fn main() -> Result<(), tianguis_sealed::SealedError> {
    let passphrase = "una frase de apertura larga";
    for (name, params) in [
        ("RECOMMENDED (64 MiB, t=3, p=4)", KdfParams::RECOMMENDED),
        ("MINIMUM (19 MiB, t=2, p=1)", KdfParams::MINIMUM),
    ] {
        let (_, wrapped) = time(&format!("member key generate, {name}"), 5, || {
            MemberKey::generate_with_params(passphrase, params)
        })?;
        time(
            &format!("unwrap (one passphrase attempt), {name}"),
            5,
            || wrapped.unwrap(passphrase),
        )?;
    }

    let mut committee = Vec::new();
    let mut secrets = Vec::new();
    for i in 0..5 {
        let (public_key, wrapped) =
            MemberKey::generate_with_params(passphrase, KdfParams::MINIMUM)?;
        committee.push(CommitteeMember {
            member_id: format!("m{i}"),
            public_key,
        });
        secrets.push(wrapped.unwrap(passphrase)?);
    }
    let key = time("key ceremony, 3 of 5", 100, || {
        TenderSealingKey::generate("T-1", 3, &committee)
    })?;
    let bid = br#"{"lot":1,"items":[{"item":"A","unit_price":"12.50"}]}"#;
    let sealed: Vec<_> = (0..1000)
        .map(|i| seal(key.public_key(), "T-1", &format!("b{i}"), bid))
        .collect::<Result<_, _>>()?;
    time("seal one small bid", 1000, || {
        seal(key.public_key(), "T-1", "b", bid)
    })?;
    let secret = time("open 3 shares and combine", 100, || {
        let opened: Vec<Share> = (0..3)
            .map(|i| key.open_share(&format!("m{i}"), &secrets[i]))
            .collect::<Result<_, _>>()?;
        key.combine(&opened)
    })?;
    time("unseal 1000 small bids", 1, || {
        sealed
            .iter()
            .enumerate()
            .map(|(i, s)| secret.unseal(s, &format!("b{i}")))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(())
}
