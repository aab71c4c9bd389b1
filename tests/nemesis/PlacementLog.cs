using Akka.Actor;
using DistCacheAkka.Checker;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Nemesis;

/// <summary>
/// Which node hosted each shard, snapshotted before every fault on the history's clock, so a lost write can be
/// traced to the primary its shard had when it was written. A diagnostic: a snapshot that fails is skipped.
/// </summary>
internal sealed class PlacementLog(IDistCacheClient client)
{
    private readonly ShardResolver _resolver = new(1024);
    private readonly List<(long At, Dictionary<int, int> PortOfShard)> _snapshots = [];

    public async Task SnapshotAsync()
    {
        try
        {
            var topology = await ((IClientProxyAccess)client).GetTopologyAsync();
            var ports = new Dictionary<int, int>();
            foreach (var (shard, node) in topology.Owners)
                if (Address.Parse(node).Port is { } port)
                    ports[shard] = port;
            lock (_snapshots)
                _snapshots.Add((History.Now(), ports));
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException)
        {
        }
    }

    /// <summary>"shard S on port P before the write; placements: P1 at t1 s, P2 at t2 s, ..." (every snapshot, run clock).</summary>
    public string Describe(Operation write, long start)
    {
        var shard = _resolver.ShardOf(write.Key);
        lock (_snapshots)
        {
            var before = _snapshots.LastOrDefault(s => s.At <= write.Invoke);
            var where = before.PortOfShard is { } ports && ports.TryGetValue(shard, out var port)
                ? $"shard {shard}, on port {port} before the write"
                : $"shard {shard}";
            var history = _snapshots.Select(s => $"{(s.PortOfShard.TryGetValue(shard, out var p) ? p : 0)}@{(s.At - start) / (double)System.Diagnostics.Stopwatch.Frequency:0.0}");
            return $"{where} (placements {string.Join(" ", history)})";
        }
    }
}
