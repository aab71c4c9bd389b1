using System.Text;
using Akka.Cluster;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>
/// The <c>cache</c> palette. Reads and writes go through an in-node ClientProxy, the same path (validation,
/// routing, consistency, errors) an application's client takes.
/// </summary>
internal sealed class CacheCommands(NodeHandle handle)
{
    public async Task<object> StatsAsync()
    {
        var stats = await handle.Client!.GetStatsAsync();
        return new
        {
            totalEntries = stats.TotalEntries,
            totalBackupEntries = stats.TotalBackupEntries,
            totalBytes = stats.TotalBytes,
            gets = stats.Gets,
            hits = stats.Hits,
            misses = stats.Misses,
            hitRatio = Math.Round(stats.HitRatio, 4),
            sets = stats.Sets,
            removes = stats.Removes,
            expirations = stats.Expirations,
            evictions = stats.Evictions,
            memoryUsedBytes = stats.TotalMemoryUsedBytes,
            memoryLimitBytes = stats.TotalMemoryLimitBytes,
            shardsOwned = stats.ShardsOwned,
            replicationFactor = stats.ReplicationFactor,
            replicationFactorMet = stats.ReplicationFactorMet,
            nodes = stats.Nodes.Select(n => new
            {
                node = n.Node,
                entries = n.PrimaryEntries,
                backupEntries = n.BackupEntries,
                bytes = n.Bytes,
                gets = n.Gets,
                sets = n.Sets,
                evictions = n.Evictions,
                memoryUsedBytes = n.MemoryUsedBytes,
                memoryLimitBytes = n.MemoryLimitBytes,
                memoryUsedPercent = n.MemoryLimitBytes == 0 ? 0 : Math.Round(100.0 * n.MemoryUsedBytes / n.MemoryLimitBytes, 1),
                shards = n.ShardsOwned,
                replicationQueue = n.ReplicationQueue,
            }).ToList(),
            unansweredNodes = stats.UnansweredNodes,
        };
    }

    /// <summary>The value as UTF-8 text when it is valid UTF-8, and always as base64.</summary>
    public async Task<object> GetAsync(string key, string? consistency)
    {
        var level = ManagementArguments.Consistency(consistency);
        var value = await handle.Client!.GetBytesAsync(key, level);
        var shard = handle.Context!.Resolver.ShardOf(key);
        if (value is null)
            return new { key, found = false, shard };
        string? text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        return new { key, found = true, shard, size = value.Length, value = text, base64 = Convert.ToBase64String(value) };
    }

    public async Task<object> SetAsync(string key, byte[] value, string? ttl, string? consistency)
    {
        var duration = ManagementArguments.Ttl(ttl);
        var expiry = duration is { } t ? CacheExpiry.After(t) : CacheExpiry.Never;
        var level = ManagementArguments.Consistency(consistency);
        await handle.Client!.SetBytesAsync(key, value, expiry, level);
        return new
        {
            key,
            stored = true,
            size = value.Length,
            ttl = duration?.ToString(),
            consistency = (level ?? handle.Context!.Settings.DefaultConsistency).ToString().ToLowerInvariant(),
            shard = handle.Context!.Resolver.ShardOf(key),
        };
    }

    public async Task<object> RemoveAsync(string key, string? consistency)
    {
        var level = ManagementArguments.Consistency(consistency);
        var removed = await handle.Client!.RemoveAsync(key, level);
        return new { key, removed };
    }

    /// <summary>The consistent-hash ring over the Up data nodes: each node's share of the hash space and of the shards.</summary>
    public object Ring()
    {
        var context = handle.Context!;
        var nodes = DataNodes();
        if (nodes.Count == 0)
            return new { virtualNodesPerNode = context.Settings.VirtualNodes, shards = context.Settings.Shards, nodes = Array.Empty<object>() };
        var ring = new HashRing<string>(nodes, context.Settings.VirtualNodes);
        const long Scale = 1_000_000;
        var share = ring.GetLoadDistribution(Scale);
        var preferred = Enumerable.Range(0, context.Settings.Shards)
            .GroupBy(s => ring.GetNode(HashRing<string>.ShardPosition(s)))
            .ToDictionary(g => g.Key, g => g.Count());
        var plan = new ShardPlacementPlanner(context.Settings.Shards, context.Settings.VirtualNodes)
            .Plan(nodes, new Dictionary<int, string>())
            .GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());
        return new
        {
            virtualNodesPerNode = context.Settings.VirtualNodes,
            shards = context.Settings.Shards,
            replicationFactor = context.Settings.ReplicationFactor,
            hashAlgorithm = context.Settings.HashAlgorithm.ToString(),
            nodes = nodes.Select(n => new
            {
                node = n,
                hashSpacePercent = Math.Round(100.0 * share[n] / Scale, 2),
                ringPreferredShards = preferred.GetValueOrDefault(n),
                plannedShards = plan.GetValueOrDefault(n),
            }).ToList(),
        };
    }

    /// <summary>Keys and shards per node, and each node's deviation from the mean (percent).</summary>
    public async Task<object> DistributionAsync()
    {
        var stats = await handle.Client!.GetStatsAsync();
        var count = Math.Max(1, stats.Nodes.Count);
        var meanKeys = (double)stats.TotalEntries / count;
        var meanShards = (double)stats.ShardsOwned / count;
        var rows = stats.Nodes.OrderBy(n => n.Node, StringComparer.Ordinal).Select(n => new
        {
            node = n.Node,
            keys = n.PrimaryEntries,
            keysDeviationPercent = Deviation(n.PrimaryEntries, meanKeys),
            shards = n.ShardsOwned,
            shardsDeviationPercent = Deviation(n.ShardsOwned, meanShards),
            backupKeys = n.BackupEntries,
        }).ToList();
        return new
        {
            totalKeys = stats.TotalEntries,
            meanKeys = Math.Round(meanKeys, 1),
            meanShards = Math.Round(meanShards, 1),
            maxKeysDeviationPercent = rows.Count == 0 ? 0 : rows.Max(r => Math.Abs(r.keysDeviationPercent)),
            maxShardsDeviationPercent = rows.Count == 0 ? 0 : rows.Max(r => Math.Abs(r.shardsDeviationPercent)),
            nodes = rows,
            unansweredNodes = stats.UnansweredNodes,
        };
    }

    private static double Deviation(double value, double mean) =>
        mean == 0 ? 0 : Math.Round(100.0 * (value - mean) / mean, 2) is var d && d == 0 ? 0 : d; // never "-0"

    private List<string> DataNodes()
    {
        var role = handle.Context!.Settings.DataRole;
        return Akka.Cluster.Cluster.Get(handle.System!).State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(role))
            .Select(m => m.Address.ToString())
            .OrderBy(a => a, StringComparer.Ordinal)
            .ToList();
    }
}
