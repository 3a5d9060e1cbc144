import Foundation
import QwenKernels

/// The loop behind a ``BatchEngine``, run on its own thread: each step admits waiting sequences
/// into free slots, prefills prompt chunks, then runs one decode row of every decoding sequence in
/// one forward pass and samples each.
///
/// Batch invariance: a row's result must not depend on the other rows of its pass. The kernels
/// guarantee it up to ``Kernels/batchInvariantRowLimit`` rows, so the decode rows (one per sequence)
/// go in passes of their own of at most that many rows, and every prefill chunk in its own pass, of
/// a size that depends only on its prompt. A prompt's last token always runs as a decode row.
final class BatchLoop: @unchecked Sendable {
    private let model: Qwen2Model
    private let prefillTokenBudget: Int
    private let slots: [SequenceSlot]
    private let condition = NSCondition()

    // Guarded by `condition`.
    private var waiting: [BatchSequence] = []
    private var isStopping = false
    private var published = BatchEngine.Load()

    // Loop thread only.
    /// Slots with a sequence, in the order the sequences were admitted.
    private var running: [SequenceSlot] = []
    private var releases = 0
    private var decodeLogits: Logits
    private var prefillLogits: Logits

    init(
        model: Qwen2Model, slotCount: Int, contextLength: Int, cachePrecision: KVCachePrecision, prefillTokenBudget: Int
    ) throws {
        self.model = model
        self.prefillTokenBudget = prefillTokenBudget
        slots = try (0..<slotCount).map { _ in
            SequenceSlot(cache: try model.makeCache(contextLength: contextLength, precision: cachePrecision))
        }
        decodeLogits = Logits(vocabularySize: model.configuration.vocabSize)
        prefillLogits = Logits(vocabularySize: model.configuration.vocabSize)
    }

    /// Queues `sequences` for slots (first come, first served), together: when enough slots are
    /// free, they start in the same step.
    func submit(_ sequences: [BatchSequence]) {
        condition.withLock {
            if isStopping {
                for sequence in sequences { sequence.fail(CancellationError()) }
                return
            }
            waiting += sequences
            published.waiting = waiting.count
            condition.signal()
        }
    }

    /// Wakes the loop, e.g. to drop a cancelled sequence from the queue.
    func wake() {
        condition.withLock { condition.signal() }
    }

    /// Ends the loop after its current step; every queued and running sequence fails with
    /// `CancellationError`.
    func stop() {
        condition.withLock {
            isStopping = true
            condition.signal()
        }
    }

    /// The load after the last step.
    var load: BatchEngine.Load {
        condition.withLock { published }
    }

    /// Runs steps until ``stop()``.
    func run() {
        while let admitted = nextAdmissions() {
            for sequence in admitted { admit(sequence) }
            dropCancelled()
            prefill()
            decode()
            publishLoad()
        }
        for slot in running { slot.sequence?.fail(CancellationError()) }
    }

    /// Waits for work, then takes as many waiting sequences as there are free slots (dropping
    /// cancelled ones); nil once the loop is stopping.
    private func nextAdmissions() -> [BatchSequence]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            waiting.removeAll { $0.isCancelled }
            if isStopping {
                for sequence in waiting { sequence.fail(CancellationError()) }
                waiting = []
                return nil
            }
            if !waiting.isEmpty || !running.isEmpty { break }
            condition.wait()
        }
        let admitted = Array(waiting.prefix(slots.count - running.count))
        waiting.removeFirst(admitted.count)
        return admitted
    }

    /// Starts `sequence` in the free slot holding the longest prefix of its prompt (the least
    /// recently used among equals).
    private func admit(_ sequence: BatchSequence) {
        let free = slots.filter { $0.sequence == nil }.map { ($0, $0.reusableLength(for: sequence.prompt)) }
        guard let (slot, kept) = free.max(by: { a, b in (a.1, -a.0.lastUsed) < (b.1, -b.0.lastUsed) }) else {
            preconditionFailure("admitted with no free slot")
        }
        do {
            try slot.start(sequence, keeping: kept)
        } catch {
            sequence.fail(error)
            return
        }
        running.append(slot)
        sequence.didStart()
        sequence.didPrefill(0, cached: kept)
    }

    private func dropCancelled() {
        for slot in running where slot.sequence?.isCancelled == true {
            release(slot)
        }
    }

    /// Runs prompt chunks in admission order while the step's token budget lasts (at least one
    /// chunk per step), each in its own forward pass.
    private func prefill() {
        var budget = prefillTokenBudget
        for slot in running {
            guard let sequence = slot.sequence, !sequence.isDecoding else { continue }
            borrowPrefix(into: slot, for: sequence)
            let start = slot.cache.count
            let chunk = min(prefillTokenBudget, sequence.prompt.count - 1 - start)
            guard chunk > 0 else { continue }
            guard chunk <= budget else { break }
            budget -= chunk
            let tokens = Array(sequence.prompt[start ..< start + chunk])
            do {
                try model.forward(tokens, cache: slot.cache, into: &prefillLogits)
            } catch {
                sequence.fail(error)
                release(slot)
                continue
            }
            slot.append(tokens)
            sequence.didPrefill(chunk, cached: slot.cache.count)
        }
    }

    /// Copies into `slot` the keys and values of a longer prefix of the prompt held by another
    /// slot, running or idle, when there is one: a copy costs far less than recomputing.
    private func borrowPrefix(into slot: SequenceSlot, for sequence: BatchSequence) {
        let prompt = sequence.prompt
        guard let (donor, count) = slots.map({ ($0, $0.reusableLength(for: prompt)) }).max(by: { $0.1 < $1.1 }),
            donor !== slot, count > slot.cache.count
        else { return }
        do {
            try slot.copyPrefix(from: donor, count: count)
            sequence.didPrefill(0, cached: count)
        } catch {
            assertionFailure("slots of one engine share a shape and capacity: \(error)")
        }
    }

    /// Runs the next token of every decoding sequence as one row of a forward pass (one pass per
    /// ``Kernels/batchInvariantRowLimit`` sequences, so that no row's result depends on the others),
    /// then samples each sequence from its row.
    private func decode() {
        let rows = running.compactMap { slot in
            slot.sequence.flatMap { sequence in sequence.nextToken.map { (slot, sequence, $0) } }
        }
        for pass in DecodePasses.ranges(count: rows.count) {
            decode(rows[pass])
        }
    }

    private func decode(_ batch: ArraySlice<(SequenceSlot, BatchSequence, Int)>) {
        do {
            try model.forward(batch.map { SequenceInput(tokens: [$0.2], cache: $0.0.cache) }, into: &decodeLogits)
        } catch {
            for (slot, sequence, _) in batch {
                sequence.fail(error)
                release(slot)
            }
            return
        }
        for (row, (slot, sequence, token)) in batch.enumerated() {
            slot.append(CollectionOfOne(token))
            let finished = decodeLogits.withMutableRow(row) { sequence.decode(logits: $0) }
            if finished { release(slot) }
        }
    }

    private func release(_ slot: SequenceSlot) {
        releases += 1
        slot.release(order: releases)
        running.removeAll { $0 === slot }
    }

    private func publishLoad() {
        var load = BatchEngine.Load(running: running.count)
        for slot in slots {
            if slot.sequence == nil {
                load.cachedTokens += slot.cache.count
            } else {
                load.usedTokens += slot.cache.count
            }
        }
        condition.withLock {
            load.waiting = waiting.count
            published = load
        }
    }
}
