using System.Diagnostics;

namespace DistCacheAkka.Checker;

/// <summary>
/// Records operations from many concurrent clients against one monotonic clock (<see cref="Stopwatch"/> ticks), so
/// invocation and completion times of different clients compare. Thread-safe. Hands out fresh process ids: a client
/// whose operation ended indeterminate must continue under a new id, because the old operation may still be in
/// flight (Knossos' :info semantics).
/// </summary>
public sealed class History
{
    private readonly List<Operation> _operations = new();
    private readonly object _gate = new();
    private int _nextProcess;

    /// <summary>The current time of the history's clock.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    public int NewProcess() => Interlocked.Increment(ref _nextProcess);

    public void Add(Operation operation)
    {
        lock (_gate)
            _operations.Add(operation);
    }

    /// <summary>A copy of everything recorded so far, in recording order.</summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_gate)
            return _operations.ToArray();
    }
}
