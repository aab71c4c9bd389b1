using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// The bookkeeping of request coalescing, without Akka: commands (single keys, or one shard's part of a batch) wait in one buffer per destination (a
/// node's gateway) until they are sealed into an envelope; sealing gives each command a correlation id and remembers
/// who asked, so that each reply of a <see cref="CoalescedReplies"/> goes back to its own caller. A lone command
/// travels in an envelope of one too: replies are matched by correlation id only, never by key, because a late
/// reply (its node was unreachable for a while) must never complete a later caller of the same key. Ids are never
/// reused. A command whose reply never comes (node lost, gateway timeout) is forgotten at its deadline; its caller's
/// own timeout reports it, and a reply that comes after that reaches nobody.
/// Not thread-safe: one actor owns it.
/// </summary>
/// <remarks>
/// Batches form by a window, as in TCP's Nagle algorithm or a database's group commit: at most
/// <c>maxInFlight</c> envelopes per destination are unanswered at a time (one counts as answered when a reply
/// envelope comes back); commands that arrive meanwhile wait and leave together. A lone caller
/// therefore never waits, and under load the envelopes grow with the load instead of with a timer. A full buffer
/// (<c>maxBatch</c>) leaves regardless of the window, and a destination that sent nothing back for a whole
/// <see cref="ReopenStalledWindows"/> period gets its window reopened, so a lost reply cannot stall it.
/// </remarks>
internal sealed class RequestCoalescer<TDestination, TCaller>(int maxBatch, int maxInFlight)
    where TDestination : notnull
    where TCaller : class
{
    private readonly Dictionary<TDestination, List<(ICacheMessage Command, TCaller Caller)>> _buffers = new();
    private readonly Dictionary<TDestination, Window> _windows = new();
    private readonly Dictionary<long, (TCaller Caller, long Deadline)> _pending = new();
    private long _lastId;

    /// <summary>Commands sent and not yet answered or expired.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Destinations with buffered commands.</summary>
    public IReadOnlyCollection<TDestination> Destinations => _buffers.Keys;

    /// <summary>Buffers <paramref name="command"/> for <paramref name="destination"/>; true when that buffer is full
    /// (<c>maxBatch</c> commands) and should be sealed now, whatever the window.</summary>
    public bool Add(TDestination destination, ICacheMessage command, TCaller caller)
    {
        if (!_buffers.TryGetValue(destination, out var buffer))
            _buffers[destination] = buffer = new List<(ICacheMessage, TCaller)>(Math.Min(maxBatch, 16));
        buffer.Add((command, caller));
        return buffer.Count >= maxBatch;
    }

    /// <summary>Destinations whose buffered commands may leave now: their window has room.</summary>
    public List<TDestination> Ready()
    {
        var ready = new List<TDestination>(_buffers.Count);
        foreach (var destination in _buffers.Keys)
        {
            if (!_windows.TryGetValue(destination, out var window) || window.InFlight < maxInFlight)
                ready.Add(destination);
        }

        return ready;
    }

    /// <summary>A reply envelope came back from <paramref name="destination"/>: its window has room for one more
    /// envelope. True if commands are waiting for it.</summary>
    public bool Answered(TDestination destination)
    {
        if (_windows.TryGetValue(destination, out var window))
        {
            window.InFlight = Math.Max(0, window.InFlight - 1);
            window.Heard = true;
        }

        return _buffers.ContainsKey(destination);
    }

    /// <summary>Reopens the window of every destination that sent nothing back since the last call; true if any
    /// commands are waiting.</summary>
    public bool ReopenStalledWindows()
    {
        foreach (var window in _windows.Values)
        {
            if (!window.Heard)
                window.InFlight = 0;
            window.Heard = false;
        }

        return _buffers.Count > 0;
    }

    /// <summary>Empties the buffer of <paramref name="destination"/> into an envelope's commands; each caller is
    /// remembered under its command's id until <paramref name="deadline"/>, and the envelope takes a window slot.</summary>
    public CorrelatedCommand[] Seal(TDestination destination, long deadline)
    {
        if (!_buffers.Remove(destination, out var buffer))
            return [];
        TakeSlot(destination);
        var commands = new CorrelatedCommand[buffer.Count];
        for (var i = 0; i < commands.Length; i++)
        {
            var id = ++_lastId;
            _pending[id] = (buffer[i].Caller, deadline);
            commands[i] = new CorrelatedCommand(id, buffer[i].Command);
        }

        return commands;
    }

    /// <summary>The caller of command <paramref name="id"/>, forgotten from now on; null if unknown or expired.</summary>
    public TCaller? Complete(long id) => _pending.Remove(id, out var pending) ? pending.Caller : null;

    /// <summary>Forgets the commands whose deadline is before <paramref name="now"/>; returns how many.</summary>
    public int Expire(long now)
    {
        var expired = 0;
        foreach (var (id, pending) in _pending)
        {
            if (pending.Deadline < now && _pending.Remove(id))
                expired++;
        }

        return expired;
    }

    /// <summary>Forgets a destination that is gone; returns its buffered commands, to be sent another way. Its
    /// commands in flight stay pending under their ids until their deadline: a late reply still reaches its own
    /// caller (or nobody), never another.</summary>
    public List<(ICacheMessage Command, TCaller Caller)> Drop(TDestination destination)
    {
        _windows.Remove(destination);
        return _buffers.Remove(destination, out var buffer) ? buffer : [];
    }

    private void TakeSlot(TDestination destination)
    {
        if (!_windows.TryGetValue(destination, out var window))
            _windows[destination] = window = new Window();
        window.InFlight++;
    }

    private sealed class Window
    {
        public int InFlight;
        public bool Heard;
    }
}
