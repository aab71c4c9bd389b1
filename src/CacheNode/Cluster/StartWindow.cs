using System.Reflection;
using Akka.Cluster.Sharding;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The shards a warm-up round still has to start, at most <see cref="Size"/> of them asked at a time. Asking a region
/// to start all 1,024 shards at once buffered them all in the region, which then asked the coordinator for every
/// buffered shard's home again on each retry-interval tick while the coordinator worked through its allocations one
/// state write at a time: three nodes starting together took 32 s to allocate every shard, 19 s with the window
/// (bench/RESULTS.md, "Shard allocation on a fresh cluster").
/// </summary>
internal sealed class StartWindow(int size)
{
    private readonly Queue<string> _waiting = new();
    private readonly HashSet<string> _outstanding = new(StringComparer.Ordinal);

    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "the window holds at least one shard");

    /// <summary>Nothing waiting and nothing asked without an answer.</summary>
    public bool Idle => _waiting.Count == 0 && _outstanding.Count == 0;

    /// <summary>Starts over with these shards (those asked before and not yet acknowledged are forgotten).</summary>
    public void Reset(IEnumerable<string> shardIds)
    {
        _waiting.Clear();
        _outstanding.Clear();
        foreach (var id in shardIds)
            _waiting.Enqueue(id);
    }

    /// <summary>The shards to ask for now, so that at most <see cref="Size"/> are outstanding; marks them asked.</summary>
    public List<string> Next()
    {
        var next = new List<string>();
        while (_outstanding.Count < Size && _waiting.TryDequeue(out var id))
        {
            if (_outstanding.Add(id))
                next.Add(id);
        }

        return next;
    }

    /// <summary>A shard was started; false when it was not outstanding (an answer to an earlier round).</summary>
    public bool Acknowledge(string shardId) => _outstanding.Remove(shardId);
}

/// <summary>
/// Reads the acknowledgement a shard sends to whoever asked it to start an entity (<see cref="ShardRegion.StartEntity"/>).
/// Akka.Cluster.Sharding 1.5 keeps that type internal (<c>ShardRegion.StartEntityAck</c>, field <c>ShardId</c>), so it is
/// found by name once; <c>StartEntityAckSpecs</c> fails if an Akka upgrade renames it. Without it the warm-up still
/// completes, one window per retry interval.
/// </summary>
internal static class StartEntityAcks
{
    private static readonly FieldInfo? ShardIdField =
        typeof(ShardRegion).GetNestedType("StartEntityAck", BindingFlags.NonPublic)?.GetField("ShardId", BindingFlags.Public | BindingFlags.Instance);

    public static Type? AckType => ShardIdField?.DeclaringType;

    public static bool IsAck(object message) => ShardIdField is not null && message.GetType() == ShardIdField.DeclaringType;

    public static bool TryRead(object message, out string shardId)
    {
        if (IsAck(message) && ShardIdField!.GetValue(message) is string id)
        {
            shardId = id;
            return true;
        }

        shardId = "";
        return false;
    }
}
