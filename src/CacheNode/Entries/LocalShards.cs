using Akka.Actor;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// The EntryActors running on this node, by shard, for the data plane's direct path: each EntryActor enters itself
/// when it starts and leaves when it starts handing off or stops, synchronously (no event-stream delay), so a command
/// read from a client connection can be told to its shard's actor from the read loop itself. A command that races a
/// hand-off reaches an actor already moving, which refuses it as retriable (Unavailable), as on every other path.
/// Thread-safe: one slot per shard, written by its own actor, read by any connection.
/// </summary>
internal sealed class LocalShards(int shards)
{
    private readonly IActorRef?[] _entries = new IActorRef?[shards];

    public void Running(int shard, IActorRef entry) => Volatile.Write(ref _entries[shard], entry);

    /// <summary>Leaves the slot alone when it already holds a newer actor for the shard.</summary>
    public void Stopped(int shard, IActorRef entry) => Interlocked.CompareExchange(ref _entries[shard], null, entry);

    public bool TryGet(int shard, out IActorRef entry)
    {
        entry = (uint)shard < (uint)_entries.Length ? Volatile.Read(ref _entries[shard])! : null!;
        return entry is not null;
    }

    /// <summary>The shard a client command belongs to (-1: none, e.g. a stats request).</summary>
    public static int ShardOf(ShardResolver resolver, ICacheMessage command) => command switch
    {
        IWithCacheKey { Key: { } key } => resolver.ShardOf(key),
        IWithShardId batch => batch.ShardId,
        _ => -1,
    };
}
