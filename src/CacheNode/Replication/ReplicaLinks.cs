using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>
/// Sends replication messages to other nodes' ReplicatorActors in <see cref="ReplicaBatch"/>es: one link per
/// destination node gathers what this node's actors send it and leaves as one remote message per drain (a thread-pool
/// work item, so under load everything queued while the previous batch was being sent travels together, and an idle
/// link adds one hand-off, no timer). The destination answers each batch with <see cref="ReplicaBatchReply"/>s to
/// this node's <see cref="ReplicaRepliesActor"/>, which hands every reply to the actor that sent the message it
/// answers. Order between one sender and one destination is kept: one link per destination, drained by one work
/// item at a time, to one resolved ref.
/// The destination ref is resolved from the path once, without a uid as the <see cref="ActorSelectionTransport"/>'s
/// path was (so a node restarted at the same address should be reached too; untested), where that transport had the
/// receiving side resolve a selection per message.
/// </summary>
internal sealed class BatchingReplicaTransport(
    Func<string, IActorRef> resolve, ReplicaBatchRegistry registry, IActorRef replies, NodeMetrics metrics, ILoggingAdapter? log = null) : IReplicaTransport
{
    /// <summary>A batch closes before it would pass this estimated size (one larger message travels alone; Akka's
    /// maximum-frame-size is 2 MiB and the largest value 1 MiB).</summary>
    public const long BatchBytes = 256 * 1024;

    private readonly ConcurrentDictionary<string, ReplicaLink> _links = new(StringComparer.Ordinal);
    private readonly Func<string, IActorRef> _resolve = resolve;
    private readonly ILoggingAdapter? _log = log;

    public static BatchingReplicaTransport For(ActorSystem system, ReplicaBatchRegistry registry, IActorRef replies, NodeMetrics metrics)
    {
        var provider = ((ExtendedActorSystem)system).Provider;
        return new BatchingReplicaTransport(node => provider.ResolveActorRef(ActorNames.ReplicatorPath(node)), registry, replies, metrics, system.Log);
    }

    public void Send(string node, IReplicationMessage message, IActorRef sender) =>
        _links.GetOrAdd(node, static (n, t) => new ReplicaLink(t._resolve(n), t), this).Enqueue(message, sender);

    /// <summary>The messages waiting for one destination and the single work item that sends them.</summary>
    private sealed class ReplicaLink(IActorRef target, BatchingReplicaTransport transport) : IThreadPoolWorkItem
    {
        private readonly object _gate = new();
        private List<Outgoing> _queue = [];
        private bool _scheduled;

        public void Enqueue(IReplicationMessage message, IActorRef sender)
        {
            lock (_gate)
            {
                _queue.Add(new Outgoing(message, sender));
                if (_scheduled)
                    return;
                _scheduled = true;
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>Sends what is queued now, then requeues itself if more arrived meanwhile (one drain per turn, so a
        /// busy link neither holds a pool thread nor sends tiny batches back to back).</summary>
        public void Execute()
        {
            List<Outgoing> drained;
            lock (_gate)
            {
                drained = _queue;
                _queue = [];
            }

            try
            {
                foreach (var part in SizeChunks.Split(drained, static o => ReplicaSizes.Of(o.Message), BatchBytes))
                    transport.SendBatch(target, part);
            }
            catch (Exception e)
            {
                // Never leave the link scheduled forever (nothing would reach the node again) nor fault the pool
                // thread: what was not sent is lost like a dropped message, and its senders' timeouts answer for it.
                transport._log?.Error(e, "Replica link to {0}: a batch of {1} messages could not be sent", target.Path.Address, drained.Count);
            }

            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _scheduled = false;
                    return;
                }
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void SendBatch(IActorRef target, Outgoing[] part)
    {
        var messages = new IReplicationMessage[part.Length];
        var senders = new IActorRef[part.Length];
        for (var i = 0; i < part.Length; i++)
            (messages[i], senders[i]) = (part[i].Message, part[i].Sender);
        var seq = registry.Register(senders);
        Interlocked.Increment(ref metrics.ReplicaBatchesSent);
        Interlocked.Add(ref metrics.ReplicaMessagesBatched, part.Length);
        target.Tell(new ReplicaBatch(seq, messages), replies);
    }

    private readonly record struct Outgoing(IReplicationMessage Message, IActorRef Sender);
}

/// <summary>
/// The senders of this node's batches still waiting for their last reply, by batch sequence number. A batch to a node
/// that died is never answered: <see cref="Sweep"/> drops entries older than a bound (their senders' own timeouts have
/// long fired by then, as they would for a message lost any other way).
/// </summary>
internal sealed class ReplicaBatchRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private long _nextSeq;

    public int Count => _pending.Count;

    public long Register(IActorRef[] senders)
    {
        var seq = Interlocked.Increment(ref _nextSeq);
        _pending[seq] = new Pending(senders, time.GetUtcNow().UtcTicks);
        return seq;
    }

    /// <summary>The senders of batch <paramref name="seq"/>, forgotten when <paramref name="last"/>; null if unknown.</summary>
    public IActorRef[]? Senders(long seq, bool last)
    {
        if (last)
            return _pending.TryRemove(seq, out var removed) ? removed.Senders : null;
        return _pending.TryGetValue(seq, out var pending) ? pending.Senders : null;
    }

    /// <summary>Forgets batches registered more than <paramref name="age"/> ago; returns how many.</summary>
    public int Sweep(TimeSpan age)
    {
        var cutoff = time.GetUtcNow().UtcTicks - age.Ticks;
        var swept = 0;
        foreach (var (seq, pending) in _pending)
            if (pending.RegisteredTicks < cutoff && _pending.TryRemove(seq, out _))
                swept++;
        return swept;
    }

    private sealed record Pending(IActorRef[] Senders, long RegisteredTicks);
}

/// <summary>
/// At /user/distcache-replica-replies: receives the <see cref="ReplicaBatchReply"/>s to this node's batches and tells
/// each reply to the actor that sent the message it answers, as if the replicator had answered it directly.
/// </summary>
internal sealed class ReplicaRepliesActor : ReceiveActor, IWithTimers
{
    public ReplicaRepliesActor(ReplicaBatchRegistry registry, TimeSpan forgetAfter)
    {
        Receive<ReplicaBatchReply>(reply =>
        {
            if (registry.Senders(reply.Seq, reply.IsLast) is not { } senders)
                return; // swept: its senders gave up long ago
            foreach (var item in reply.Replies)
                if ((uint)item.Index < (uint)senders.Length)
                    senders[item.Index].Tell(item.Message, Sender);
        });
        Receive<SweepTick>(_ => registry.Sweep(forgetAfter));
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, forgetAfter.Ticks / 4));
        Timers.StartPeriodicTimer(SweepTick.Instance, SweepTick.Instance, every, every);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ReplicaBatchRegistry registry, TimeSpan forgetAfter) =>
        Akka.Actor.Props.Create(() => new ReplicaRepliesActor(registry, forgetAfter));

    private sealed class SweepTick
    {
        public static readonly SweepTick Instance = new();
    }
}

/// <summary>Generous estimates of replication messages' encoded sizes, to keep batches and replies under the frame size.</summary>
internal static class ReplicaSizes
{
    public static long Of(IReplicationMessage message) => 64 + message switch
    {
        ReplicateEntries m => Entries(m.Entries),
        ReplaceBuckets m => Entries(m.Entries) + (5L * m.Buckets.Count),
        ReplicaKeysRead m => Entries(m.Entries),
        ShardCopy m => Entries(m.Entries),
        ReadReplicaKeys m => m.Keys.Sum(key => (key.Length * 3L) + 5),
        ShardDigest m => 8L * m.Buckets.Count,
        DigestMismatch m => 5L * m.Buckets.Count,
        _ => 0,
    };

    private static long Entries(IReadOnlyList<ReplicaEntry> entries)
    {
        long size = 0;
        for (var i = 0; i < entries.Count; i++)
            size += SizeChunks.Of(entries[i]);
        return size;
    }
}
