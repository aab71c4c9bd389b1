namespace DistCacheAkka.Checker;

/// <summary>The verdict on one key's history.</summary>
public enum Linearizability
{
    Linearizable,
    NotLinearizable,

    /// <summary>The search ran out of its step budget before deciding; nothing is claimed either way.</summary>
    Unknown,
}

/// <summary>The verdict on one key, with the size of the search and, when rejected, where it got stuck.</summary>
public sealed record KeyVerdict(string Key, Linearizability Verdict, int Operations, long Steps, string Explanation);

/// <summary>
/// Decides whether a history of a register (write / read, one register per key) is linearizable: Wing &amp; Gong's
/// search as improved by Lowe, with memoisation of (set of linearized operations, register state), the algorithm
/// Porcupine uses. Keys are independent registers, so each key is checked on its own (P-compositionality), which
/// keeps the search small.
/// <para>Indeterminate writes may have taken effect at any time after their invocation, or never: their completion
/// is treated as infinitely late, so the search may place them anywhere after their invocation, including after
/// everything else (which is the same as never). Indeterminate reads constrain nothing and are ignored, and so are
/// indeterminate writes of a value nobody read: placing one last is always possible, so dropping it changes no
/// verdict, and it keeps long faulty histories tractable.</para>
/// <para>Memo entries hold only the window of the linearized set above its prefix of linearized (or indeterminate)
/// operations, numbered by invocation, plus which indeterminate writes are linearized: a long history costs about its
/// concurrency per step, not its length, even while a seen indeterminate write waits to be placed.</para>
/// <para>Not guaranteed: the search is exponential in the worst case (many concurrent or indeterminate writes).
/// It stops after <c>maxStepsPerKey</c> steps and answers <see cref="Linearizability.Unknown"/> instead of hanging.
/// </para>
/// </summary>
public sealed class LinearizabilityChecker
{
    private readonly long _maxStepsPerKey;

    public LinearizabilityChecker(long maxStepsPerKey = 20_000_000)
    {
        if (maxStepsPerKey <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxStepsPerKey), maxStepsPerKey, "The step budget must be positive.");
        _maxStepsPerKey = maxStepsPerKey;
    }

    /// <summary>Checks every key of the history; the initial state of every register is "absent".</summary>
    public IReadOnlyList<KeyVerdict> Check(IEnumerable<Operation> history) =>
        history.GroupBy(o => o.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => CheckKey(g.Key, g.ToList()))
            .ToList();

    /// <summary>Checks one key's operations (all must be of <paramref name="key"/>).</summary>
    public KeyVerdict CheckKey(string key, IReadOnlyList<Operation> operations)
    {
        if (operations.Any(o => o.Key != key))
            throw new ArgumentException($"Every operation must be of key '{key}'.", nameof(operations));
        var read = operations.Where(o => o is { Kind: OperationKind.Read, IsIndeterminate: false, Value: not null })
            .Select(o => o.Value!).ToHashSet(StringComparer.Ordinal);
        var ops = operations
            .Where(o => !(o.Kind == OperationKind.Read && o.IsIndeterminate))
            .Where(o => !(o is { Kind: OperationKind.Write, IsIndeterminate: true, Value: not null } && !read.Contains(o.Value!)))
            .OrderBy(o => o.Invoke)
            .ToArray();
        if (ops.Length == 0)
            return new KeyVerdict(key, Linearizability.Linearizable, 0, 0, "no determinate operations");
        return new Search(key, ops, _maxStepsPerKey).Run();
    }

    /// <summary>One search over one key: a doubly linked list of call and return entries in time order.</summary>
    private sealed class Search
    {
        private const int Head = 0;
        private readonly string _key;
        private readonly Operation[] _ops;
        private readonly long _maxSteps;
        private readonly int[] _states;       // per operation: the state a write sets, or the state a read needs
        private readonly string?[] _stateValues;
        // Entries 1..2n: entry e belongs to operation (e - 1) / 2 (not in time order); odd = call, even = return.
        private readonly int[] _next;
        private readonly int[] _prev;
        private readonly int[] _indeterminate;   // per operation: its number among the indeterminate ones, or -1
        private readonly int _indeterminateCount;

        public Search(string key, Operation[] ops, long maxSteps)
        {
            _key = key;
            _ops = ops;
            _maxSteps = maxSteps;
            _states = new int[ops.Length];
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var values = new List<string?> { null };   // state 0: absent
            foreach (var (op, i) in ops.Select((o, i) => (o, i)).Where(t => t.o.Kind == OperationKind.Write))
            {
                if (op.Value is null)
                    continue;
                if (!ids.TryGetValue(op.Value, out var id))
                {
                    id = values.Count;
                    ids[op.Value] = id;
                    values.Add(op.Value);
                }
                _states[i] = id;
            }
            for (var i = 0; i < ops.Length; i++)
            {
                if (ops[i].Kind != OperationKind.Read || ops[i].Value is null)
                    continue;
                // A value nobody wrote can never be read: -1 matches no state.
                _states[i] = ids.TryGetValue(ops[i].Value!, out var id) ? id : -1;
            }
            _stateValues = values.ToArray();
            _indeterminate = new int[ops.Length];
            for (var i = 0; i < ops.Length; i++)
                _indeterminate[i] = ops[i].IsIndeterminate ? _indeterminateCount++ : -1;

            var entries = new List<(long Time, bool IsReturn, int Entry)>(2 * ops.Length);
            for (var i = 0; i < ops.Length; i++)
            {
                entries.Add((ops[i].Invoke, false, 2 * i + 1));
                entries.Add((ops[i].IsIndeterminate ? long.MaxValue : ops[i].Complete, true, 2 * i + 2));
            }
            // Calls before returns at equal times: operations that touch in time count as concurrent.
            entries.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsReturn.CompareTo(b.IsReturn));
            _next = new int[2 * ops.Length + 1];
            _prev = new int[2 * ops.Length + 1];
            var last = Head;
            foreach (var (_, _, entry) in entries)
            {
                _next[last] = entry;
                _prev[entry] = last;
                last = entry;
            }
            _next[last] = -1;
        }

        public KeyVerdict Run()
        {
            var linearized = new ulong[(_ops.Length + 63) / 64];
            var indeterminate = new ulong[(_indeterminateCount + 63) / 64];
            var seen = new HashSet<MemoKey>();
            var stack = new Stack<Frame>();
            var state = 0;
            var prefix = 0;      // operations 0..prefix-1 are all linearized or indeterminate
            var highest = -1;    // the highest linearized operation
            var steps = 0L;
            var deepest = -1;
            var stuckAt = -1;
            var stuckState = 0;
            var entry = _next[Head];
            while (_next[Head] != -1)
            {
                if (++steps > _maxSteps)
                    return Verdict(Linearizability.Unknown, steps,
                        $"search budget of {_maxSteps:N0} steps exhausted after linearizing at most {Math.Max(deepest, 0)} of {_ops.Length} operations");
                var op = (entry - 1) / 2;
                if (entry % 2 == 1)
                {
                    // A call: try to linearize its operation here.
                    if (TryStep(state, op, out var newState))
                    {
                        Mark(linearized, indeterminate, op, true);
                        var newPrefix = prefix;
                        while (newPrefix < _ops.Length && (_indeterminate[newPrefix] >= 0 || IsSet(linearized, newPrefix)))
                            newPrefix++;
                        var newHighest = Math.Max(highest, op);
                        if (seen.Add(new MemoKey(linearized, indeterminate, newPrefix, newHighest, newState)))
                        {
                            stack.Push(new Frame(entry, state, prefix, highest));
                            (state, prefix, highest) = (newState, newPrefix, newHighest);
                            Lift(entry);
                            entry = _next[Head];
                            continue;
                        }

                        Mark(linearized, indeterminate, op, false);
                    }

                    entry = _next[entry];
                }
                else
                {
                    // A return: its operation had to be linearized by now and was not; undo the last choice.
                    if (stack.Count > deepest)
                    {
                        deepest = stack.Count;
                        stuckAt = op;
                        stuckState = state;
                    }

                    if (stack.Count == 0)
                        return Verdict(Linearizability.NotLinearizable, steps, Explain(deepest, stuckAt, stuckState));
                    var top = stack.Pop();
                    Mark(linearized, indeterminate, (top.Entry - 1) / 2, false);
                    (state, prefix, highest) = (top.State, top.Prefix, top.Highest);
                    Unlift(top.Entry);
                    entry = _next[top.Entry];
                }
            }

            return Verdict(Linearizability.Linearizable, steps, $"linearized all {_ops.Length} operations");
        }

        private void Mark(ulong[] linearized, ulong[] indeterminate, int op, bool on)
        {
            Flip(linearized, op, on);
            if (_indeterminate[op] >= 0)
                Flip(indeterminate, _indeterminate[op], on);
        }

        private static void Flip(ulong[] bits, int i, bool on)
        {
            if (on)
                bits[i / 64] |= 1UL << (i % 64);
            else
                bits[i / 64] &= ~(1UL << (i % 64));
        }

        private static bool IsSet(ulong[] bits, int i) => (bits[i / 64] & (1UL << (i % 64))) != 0;

        private bool TryStep(int state, int op, out int newState)
        {
            if (_ops[op].Kind == OperationKind.Write)
            {
                newState = _states[op];
                return true;
            }
            newState = state;
            return _states[op] == state;
        }

        // Removes a call entry and its return entry from the list (the return always follows the call).
        private void Lift(int call)
        {
            Unlink(call);
            Unlink(call + 1);
        }

        private void Unlift(int call)
        {
            Relink(call + 1);
            Relink(call);
        }

        private void Unlink(int e)
        {
            _next[_prev[e]] = _next[e];
            if (_next[e] != -1)
                _prev[_next[e]] = _prev[e];
        }

        // Dancing links: e still remembers its neighbours, which are back in place because undos run in reverse.
        private void Relink(int e)
        {
            _next[_prev[e]] = e;
            if (_next[e] != -1)
                _prev[_next[e]] = e;
        }

        private string Explain(int deepest, int stuckAt, int stuckState) =>
            stuckAt < 0
                ? "no operation could be linearized"
                : $"at most {deepest} of {_ops.Length} operations linearize; none of the orders lets [{_ops[stuckAt]}] "
                  + $"take effect before it completed (the register held {_stateValues[stuckState] ?? "<absent>"} in the deepest attempt)";

        private KeyVerdict Verdict(Linearizability verdict, long steps, string explanation) =>
            new(_key, verdict, _ops.Length, steps, explanation);
    }

    /// <summary>A choice on the search stack: the call entry linearized and what to restore when it is undone.</summary>
    private readonly record struct Frame(int Entry, int State, int Prefix, int Highest);

    /// <summary>
    /// A memo entry: the register state and the set of linearized operations, stored as the length of its prefix of
    /// linearized or indeterminate operations, a copy of the bitset words from that prefix up to the highest linearized
    /// operation, and which indeterminate operations are linearized.
    /// </summary>
    private readonly struct MemoKey : IEquatable<MemoKey>
    {
        private readonly ulong[] _window;
        private readonly ulong[] _indeterminate;
        private readonly int _prefix;
        private readonly int _state;
        private readonly int _hash;

        public MemoKey(ulong[] bits, ulong[] indeterminate, int prefix, int highest, int state)
        {
            _indeterminate = indeterminate.Length == 0 ? [] : (ulong[])indeterminate.Clone();
            var first = prefix / 64;
            var last = highest / 64;
            _window = last >= first ? bits.AsSpan(first, last - first + 1).ToArray() : [];
            _prefix = prefix;
            _state = state;
            var hash = new HashCode();
            hash.Add(prefix);
            hash.Add(state);
            foreach (var word in _window)
                hash.Add(word);
            foreach (var word in _indeterminate)
                hash.Add(word);
            _hash = hash.ToHashCode();
        }

        public bool Equals(MemoKey other) =>
            _prefix == other._prefix && _state == other._state && _window.AsSpan().SequenceEqual(other._window)
            && _indeterminate.AsSpan().SequenceEqual(other._indeterminate);

        public override bool Equals(object? obj) => obj is MemoKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
