//! The pipeline: one thread reads blocks, worker threads parse and fold them, accumulators are
//! merged at the end.
//!
//! Determinism (issue 6: "never let the result depend on thread scheduling"): every merge is
//! commutative and results are ordered by file position. The one order-dependent rule of the
//! reference — with no `currency` setting, the main currency is the first one observed — is
//! honoured by folding blocks on the calling thread, in file order, until that currency is
//! known; only then do the workers start, already knowing it.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};

use crate::flags::engine::{Accumulator, Engine};
use crate::input::{Block, BlockReader, InputError};

/// Called with the number of bytes of each block read (for a progress bar).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Reads everything and returns the merged accumulator.
///
/// # Errors
/// [`InputError`] if the input cannot be read (malformed lines are not errors).
pub fn run(
    engine: &Engine,
    mut reader: BlockReader,
    threads: usize,
    progress: Option<Progress<'_>>,
) -> Result<Accumulator, InputError> {
    let mut main = engine.accumulator(None, None);
    while engine.currency_pending(&main) {
        let Some(block) = reader.next_block(None)? else {
            return Ok(main);
        };
        if let Some(p) = progress {
            p(block.data.len() as u64);
        }
        engine.process_block(&block, &mut main);
    }
    let threads = threads.max(1);
    if threads == 1 {
        let mut recycled = None;
        while let Some(block) = reader.next_block(recycled.take())? {
            if let Some(p) = progress {
                p(block.data.len() as u64);
            }
            engine.process_block(&block, &mut main);
            recycled = Some(block.data);
        }
        return Ok(main);
    }
    let currency = main.currency.clone();
    let market_currency = main.market.currency.clone();
    let (sender, receiver) = sync_channel::<Block>(threads * 2);
    let receiver = Mutex::new(receiver);
    let (recycle_sender, recycle_receiver) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut read_error = None;
    let accumulators: Vec<Option<Accumulator>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let recycle = recycle_sender.clone();
                let receiver = &receiver;
                let (currency, market_currency) = (currency.clone(), market_currency.clone());
                scope.spawn(move || {
                    let mut acc = engine.accumulator(currency, market_currency);
                    while let Some(block) = next(receiver) {
                        engine.process_block(&block, &mut acc);
                        // The reader may have finished; a closed channel only loses a buffer.
                        let _ = recycle.send(block.data);
                    }
                    acc.sort_by_position();
                    acc
                })
            })
            .collect();
        loop {
            let recycled = recycle_receiver.try_recv().ok();
            match reader.next_block(recycled) {
                Ok(Some(block)) => {
                    if let Some(p) = progress {
                        p(block.data.len() as u64);
                    }
                    if sender.send(block).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    read_error = Some(error);
                    break;
                }
            }
        }
        drop(sender);
        workers.into_iter().map(|w| w.join().ok()).collect()
    });
    if let Some(error) = read_error {
        return Err(error);
    }
    for acc in accumulators {
        match acc {
            Some(acc) => main.merge(acc),
            // A worker can only stop early by panicking, which the code does not do on any
            // input; if it ever did, report it rather than return partial results.
            None => {
                return Err(InputError::Io {
                    path: "<worker>".into(),
                    source: std::io::Error::other("a worker thread stopped unexpectedly"),
                });
            }
        }
    }
    Ok(main)
}

fn next(receiver: &Mutex<Receiver<Block>>) -> Option<Block> {
    let guard = match receiver.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    guard.recv().ok()
}
