using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>The <c>cluster-sharding</c> palette (and <c>cache rebalance-status</c>): where the cache's shards live.</summary>
internal sealed class ShardingCommands(NodeHandle handle)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<object> RegionsAsync()
    {
        var regions = await handle.Region!.Ask<CurrentRegions>(GetCurrentRegions.Instance, Timeout);
        return new
        {
            region = handle.Context!.Settings.RegionName,
            regions = regions.Regions.Select(a => a.ToString()).OrderBy(a => a, StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>This node's shards: for each, its entity count and the keys it holds as primary.</summary>
    public async Task<object> RegionStatsAsync()
    {
        var context = handle.Context!;
        var stats = await handle.Region!.Ask<ShardRegionStats>(GetShardRegionStats.Instance, Timeout);
        var shards = stats.Stats
            .Select(s => (Id: s.Key, Entities: s.Value, Shard: context.Resolver.TryParse(s.Key, out var n) ? n : -1))
            .OrderBy(s => s.Shard)
            .Select(s => new
            {
                shard = s.Id,
                entities = s.Entities,
                keys = context.Metrics.TryGetPrimary(s.Shard, out var counters) ? Interlocked.Read(ref counters.Entries) : 0,
            })
            .ToList();
        return new { node = Akka.Cluster.Cluster.Get(handle.System!).SelfAddress.ToString(), shardCount = shards.Count, shards };
    }

    public async Task<object> ShardStatsAsync()
    {
        var allocation = await AllocationAsync();
        return new
        {
            totalShards = handle.Context!.Settings.Shards,
            allocatedShards = allocation.Shards.Count,
            regions = allocation.PerRegion.OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new { node = r.Key, shards = r.Value.Count })
                .ToList(),
            unanswered = allocation.Failed,
        };
    }

    public async Task<object> EntityLocationAsync(string key)
    {
        var context = handle.Context!;
        var problem = Messages.RequestValidation.CheckKey(key, context.Settings);
        if (problem is not null)
            throw new ManagementArgumentException(problem);
        var shard = context.Resolver.ShardOf(key);
        var id = context.Resolver.IdOf(shard);
        var allocation = await AllocationAsync();
        var primary = allocation.Shards.GetValueOrDefault(shard);
        return new
        {
            key,
            shard,
            entityId = id,
            primary,
            backups = primary is null ? [] : context.View.BackupsFor(shard, primary),
            allocated = primary is not null,
        };
    }

    /// <summary>How far the placement is from the ring's plan, and the last RebalancingProgress event seen.</summary>
    public async Task<object> RebalanceStatusAsync()
    {
        var context = handle.Context!;
        var state = Akka.Cluster.Cluster.Get(handle.System!).State;
        var dataNodes = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(context.Settings.DataRole))
            .Select(m => m.Address.ToString()).ToList();
        var allocation = await AllocationAsync();
        var planner = new ShardPlacementPlanner(context.Settings.Shards, context.Settings.VirtualNodes);
        var current = allocation.Shards.Where(s => dataNodes.Contains(s.Value)).ToDictionary(s => s.Key, s => s.Value);
        var pending = dataNodes.Count == 0 ? 0 : planner.Moves(dataNodes, current).Count;
        var last = handle.LastRebalance;
        var paused = state.Unreachable.Count > 0;
        return new
        {
            balanced = pending == 0 && allocation.Shards.Count == context.Settings.Shards,
            pendingMoves = pending,
            unallocatedShards = context.Settings.Shards - allocation.Shards.Count,
            paused,
            pausedReason = paused ? "a member is unreachable; rebalancing waits until it is reachable again or downed" : null,
            maxShardsPerRound = context.Settings.RebalanceMaxShardsPerRound,
            lastProgress = last is null ? null : new
            {
                shardsMoved = last.ShardsMoved,
                shardsTotal = last.ShardsTotal,
                keysMoved = last.KeysMoved,
                percent = last.ShardsTotal == 0 ? 100.0 : Math.Round(100.0 * last.ShardsMoved / last.ShardsTotal, 1),
                at = last.Timestamp,
            },
        };
    }

    /// <summary>The cluster's shard allocation: shard → node address, per node, and regions that did not answer.</summary>
    internal async Task<(Dictionary<int, string> Shards, Dictionary<string, List<int>> PerRegion, List<string> Failed)> AllocationAsync()
    {
        var resolver = handle.Context!.Resolver;
        var stats = await handle.Region!.Ask<ClusterShardingStats>(new GetClusterShardingStats(Timeout), Timeout + TimeSpan.FromSeconds(2));
        var shards = new Dictionary<int, string>();
        var perRegion = new Dictionary<string, List<int>>();
        foreach (var (address, region) in stats.Regions)
        {
            var node = address.ToString();
            var list = perRegion[node] = [];
            foreach (var id in region.Stats.Keys)
            {
                if (!resolver.TryParse(id, out var shard))
                    continue;
                shards[shard] = node;
                list.Add(shard);
            }
        }

        var failed = stats.Regions.Where(r => r.Value.Failed.Count > 0).Select(r => r.Key.ToString()).ToList();
        return (shards, perRegion, failed);
    }
}
