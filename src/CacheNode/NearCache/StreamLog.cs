using System.Collections.Concurrent;
using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.NearCache;

/// <summary>
/// The node's hand-over point between its primaries and its invalidation feed (<see cref="NearCacheFeedActor"/>).
/// An EntryActor appends the changes of its shard's stream on its own thread, in order; the feed drains them on its.
/// Appending costs a lock-free enqueue, plus one message to the feed when the log was empty (so a burst of writes
/// makes one drain), whether or not a client subscribes: the feed must know every stream's sequence to hand a new
/// subscriber a snapshot that matches what follows.
/// </summary>
internal sealed class StreamLog
{
    private readonly ConcurrentQueue<StreamChange> _changes = new();
    private IActorRef _feed = ActorRefs.Nobody;
    private int _signalled;

    /// <summary>Connects the feed that drains this log (set once, when the feed starts).</summary>
    public void AttachFeed(IActorRef feed) => _feed = feed;

    /// <summary>A new stream id: random, never 0 (0 marks a value that must not be cached).</summary>
    public static long NewStream()
    {
        long stream;
        do
            stream = Random.Shared.NextInt64();
        while (stream == 0);
        return stream;
    }

    public void Append(StreamChange change)
    {
        _changes.Enqueue(change);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
            _feed.Tell(DrainLog.Instance);
    }

    /// <summary>Takes every change appended so far, in order; re-arms the signal first, so a change appended while
    /// draining is either taken now or signalled again.</summary>
    public List<StreamChange> Drain()
    {
        Interlocked.Exchange(ref _signalled, 0); // a full fence: the reset is visible before the queue is read
        var drained = new List<StreamChange>();
        while (_changes.TryDequeue(out var change))
            drained.Add(change);
        return drained;
    }
}

/// <summary>Tells the feed that the log has changes to send.</summary>
internal sealed class DrainLog
{
    public static readonly DrainLog Instance = new();
}
