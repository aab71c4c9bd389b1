using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.ClientProxy;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Waits until the sharding coordinator reports every shard allocated, as the demo does: a fresh cluster allocates
/// and recovers its 1,024 shards in a few seconds after membership settles, and tests should measure the cache, not
/// that start-up.
/// </summary>
public static class ShardReadiness
{
    public static async Task WaitAllAllocatedAsync(IDistCacheClient client, int shards = 1024, string region = "distcache")
    {
        var proxy = ClusterSharding.Get(((IClientProxyAccess)client).System).ShardRegionProxy(region);
        await Eventually.HoldsAsync(async () =>
        {
            var stats = await proxy.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(5));
            return stats.Regions.Values.Sum(r => r.Stats.Count) == shards;
        }, TimeSpan.FromSeconds(90), $"all {shards} shards allocated");
    }
}
