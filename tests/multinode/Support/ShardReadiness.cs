using DistCacheAkka.ClientProxy;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Waits until the client's topology places every shard (every data node reports the shards whose EntryActor runs
/// on it), as the demo does: a fresh cluster allocates and recovers its 1,024 shards in a few seconds after membership
/// settles, and tests should measure the cache, not that start-up.
/// </summary>
public static class ShardReadiness
{
    /// <summary>Waits until every shard is placed and the placement is balanced over the data nodes the client
    /// sees (each holds floor(S/N) or ceil(S/N)): a node that joined after the first allocations gets its shards by
    /// rebalance rounds, and a command to a shard being handed off waits for the move.</summary>
    public static async Task WaitAllAllocatedAsync(IDistCacheClient client, int shards = 1024)
    {
        var access = (IClientProxyAccess)client;
        await Eventually.HoldsAsync(async () =>
        {
            var topology = await access.GetTopologyAsync();
            var nodes = topology.DataNodes.Count;
            var perNode = topology.Owners.Values.GroupBy(owner => owner).Select(g => g.Count()).ToList();
            return topology.Owners.Count == shards && nodes > 0 && perNode.Count == nodes
                   && perNode.All(count => count >= shards / nodes && count <= (shards + nodes - 1) / nodes);
        }, TimeSpan.FromSeconds(90), $"all {shards} shards placed, balanced over the data nodes").ConfigureAwait(false);
    }

    /// <summary>Waits until the client sees <paramref name="count"/> data nodes, none unreachable.</summary>
    public static async Task WaitDataNodesAsync(IDistCacheClient client, int count, TimeSpan deadline)
    {
        var access = (IClientProxyAccess)client;
        await Eventually.HoldsAsync(async () =>
        {
            var topology = await access.GetTopologyAsync();
            return topology.DataNodes.Count == count && topology.Unreachable.Count == 0;
        }, deadline, $"{count} data nodes reachable").ConfigureAwait(false);
    }
}
