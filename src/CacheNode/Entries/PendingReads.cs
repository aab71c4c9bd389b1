using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>A Quorum or Strong read waiting for its backups' copies of the keys.</summary>
internal sealed class PendingRead(
    IReadOnlyList<string> keys, ReplyTo replyTo, Func<object> answer, Func<CacheError, object> failure,
    ConsistencyLevel level, int required, int replicas)
{
    public IReadOnlyList<string> Keys { get; } = keys;
    public ReplyTo ReplyTo { get; } = replyTo;
    public Func<object> Answer { get; } = answer;
    public Func<CacheError, object> Failure { get; } = failure;
    public ConsistencyLevel Level { get; } = level;

    /// <summary>Answers needed, the primary's own included.</summary>
    public int Required { get; } = required;

    public int Replicas { get; } = replicas;

    /// <summary>Each answering backup's entries for the keys (one answer per backup).</summary>
    public Dictionary<string, IReadOnlyList<ReplicaEntry>> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers so far, the primary's own included.</summary>
    public int Copies => 1 + Answers.Count;
}

/// <summary>
/// The replica reads of one primary, by request id, kept out of the actor so the counting is tested on its own: a
/// backup's answer counts once, the read is ready (and forgotten) when the required answers are in, a timeout takes
/// it out, and a hand-off drains what is left so every caller gets an answer.
/// </summary>
internal sealed class PendingReads
{
    private readonly Dictionary<long, PendingRead> _reads = new();

    public int Count => _reads.Count;

    public void Add(long id, PendingRead read) => _reads[id] = read;

    /// <summary>Records a backup's answer; returns the read once it has the required answers, else null.</summary>
    public PendingRead? Answer(long id, string replica, IReadOnlyList<ReplicaEntry> entries)
    {
        if (!_reads.TryGetValue(id, out var read) || !read.Answers.TryAdd(replica, entries) || read.Copies < read.Required)
            return null;
        _reads.Remove(id);
        return read;
    }

    /// <summary>Gives up on a read at its timeout; null if it was already answered.</summary>
    public PendingRead? Expire(long id) => _reads.Remove(id, out var read) ? read : null;

    /// <summary>Takes every read still waiting (the shard is handed off).</summary>
    public IReadOnlyList<PendingRead> Drain()
    {
        var all = _reads.Values.ToList();
        _reads.Clear();
        return all;
    }
}
