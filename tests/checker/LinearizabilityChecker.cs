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
/// everything else (which is the same as never). Indeterminate reads constrain nothing and are ignored.</para>
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
        var ops = operations.Where(o => !(o.Kind == OperationKind.Read && o.IsIndeterminate)).ToArray();
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
            var seen = new HashSet<MemoKey>();
            var stack = new Stack<(int Entry, int State)>();
            var state = 0;
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
                        linearized[op / 64] |= 1UL << (op % 64);
                        if (seen.Add(new MemoKey(linearized, newState)))
                        {
                            stack.Push((entry, state));
                            state = newState;
                            Lift(entry);
                            entry = _next[Head];
                            continue;
                        }
                        linearized[op / 64] &= ~(1UL << (op % 64));
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
                    var (top, previous) = stack.Pop();
                    var topOp = (top - 1) / 2;
                    linearized[topOp / 64] &= ~(1UL << (topOp % 64));
                    state = previous;
                    Unlift(top);
                    entry = _next[top];
                }
            }
            return Verdict(Linearizability.Linearizable, steps, $"linearized all {_ops.Length} operations");
        }

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

    /// <summary>A memo entry: which operations are linearized (a copy of the bitset) and the register state.</summary>
    private readonly struct MemoKey : IEquatable<MemoKey>
    {
        private readonly ulong[] _bits;
        private readonly int _state;
        private readonly int _hash;

        public MemoKey(ulong[] bits, int state)
        {
            _bits = (ulong[])bits.Clone();
            _state = state;
            var hash = new HashCode();
            hash.Add(state);
            foreach (var word in _bits)
                hash.Add(word);
            _hash = hash.ToHashCode();
        }

        public bool Equals(MemoKey other) => _state == other._state && _bits.AsSpan().SequenceEqual(other._bits);

        public override bool Equals(object? obj) => obj is MemoKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
