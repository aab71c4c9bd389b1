using DistCacheAkka.ClientProxy;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Waits until the client's topology places every shard (every data node reports the shards whose EntryActor runs
/// on it), as the demo does: a fresh cluster allocates and recovers its 1,024 shards in a few seconds after membership
/// settles, and tests should measure the cache, not that start-up.
/// </summary>
public static class ShardReadiness
{
    public static async Task WaitAllAllocatedAsync(IDistCacheClient client, int shards = 1024)
    {
        var access = (IClientProxyAccess)client;
        await Eventually.HoldsAsync(async () => (await access.GetTopologyAsync()).Owners.Count == shards,
            TimeSpan.FromSeconds(90), $"all {shards} shards placed").ConfigureAwait(false);
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
