using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>A replicated write (or batch) waiting for its backups' acknowledgements.</summary>
internal sealed class PendingWrite(
    ReplicaEntry[] entries, ReplyTo replyTo, object? success, Func<CacheError, object>? failure,
    ConsistencyLevel level, int required, int replicas)
{
    public ReplicaEntry[] Entries { get; } = entries;
    public ReplyTo ReplyTo { get; } = replyTo;
    public object? Success { get; } = success;
    public Func<CacheError, object>? Failure { get; } = failure;
    public ConsistencyLevel Level { get; } = level;

    /// <summary>Replicas (the primary included) whose copy the caller waits for.</summary>
    public int Required { get; } = required;

    /// <summary>Replicas of the shard, the primary included: when all acknowledged, replication is complete.</summary>
    public int Replicas { get; } = replicas;

    public HashSet<string> Acked { get; } = new(StringComparer.Ordinal);

    /// <summary>The caller has its answer (or never needed one: Eventual batches, repairs).</summary>
    public bool Replied { get; set; }

    /// <summary>Copies applied so far, the primary's own included.</summary>
    public int Copies => 1 + Acked.Count;
}

/// <summary>What an acknowledgement changed: whether the caller may be answered now, and whether every replica has the write.</summary>
internal readonly record struct AckOutcome(PendingWrite? Write, bool ReplyNow, bool Complete);

/// <summary>
/// The writes of one primary waiting for acknowledgements, by batch id, kept out of the actor so the counting rules
/// are tested on their own: each backup counts once however often it acknowledges, the caller is answered once when
/// the required number of copies is reached, and the write is complete (forgotten) when every replica has it.
/// </summary>
internal sealed class PendingWrites
{
    private readonly Dictionary<long, PendingWrite> _writes = new();

    public int Count => _writes.Count;

    public void Add(long id, PendingWrite write) => _writes[id] = write;

    public AckOutcome Acknowledge(long id, string replica)
    {
        if (!_writes.TryGetValue(id, out var write) || !write.Acked.Add(replica))
            return default;
        var replyNow = !write.Replied && write.Copies >= write.Required;
        if (replyNow)
            write.Replied = true;
        var complete = write.Copies >= write.Replicas;
        if (complete)
            _writes.Remove(id);
        return new AckOutcome(write, replyNow, complete);
    }

    /// <summary>Gives up on a write at its timeout; null if it already completed.</summary>
    public PendingWrite? Expire(long id) => _writes.Remove(id, out var write) ? write : null;
}
