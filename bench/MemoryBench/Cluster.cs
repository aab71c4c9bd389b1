using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.MemoryBench;

/// <summary>A client of one DistCacheAkka cluster and the ids of its data node processes (for /proc).</summary>
internal sealed class Cluster(string name, IDistCacheClient client, int[] pids) : IAsyncDisposable
{
    public string Name => name;

    public IDistCacheClient Client => client;

    public int[] Pids => pids;

    public static async Task<Cluster> ConnectAsync(string name, string seed, int[] pids)
    {
        var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed],
            ConnectTimeout = TimeSpan.FromSeconds(90),
            RequestTimeout = TimeSpan.FromSeconds(10),
            ValueSerializer = new PassThroughBytes(),
            ExtraHocon = "akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR",
        });
        await WaitForAllShards((IClientProxyAccess)client);
        var cluster = new Cluster(name, client, pids);
        for (var i = 0; i < 60 && (await cluster.StatsAsync())?.Nodes.Count != pids.Length; i++) // bounded: ~60 s
            await Task.Delay(1000);
        return cluster;
    }

    /// <summary>The cluster's stats, or null when they did not come within <paramref name="timeoutSeconds"/>.</summary>
    public async Task<DistributedCacheStats?> StatsAsync(int timeoutSeconds = 15)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            return await client.GetStatsAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or DistCacheException or DistCacheTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits (bounded) until no node has replication queued and the stored copies stop changing.</summary>
    public async Task<DistributedCacheStats> SettleAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        DistributedCacheStats? last = null;
        while (true)
        {
            var now = await StatsAsync();
            if (now is not null && last is not null && now.Nodes.All(n => n.ReplicationQueue == 0)
                && now.TotalEntries == last.TotalEntries && now.TotalBackupEntries == last.TotalBackupEntries
                && now.TotalMemoryUsedBytes == last.TotalMemoryUsedBytes)
                return now;
            if (DateTime.UtcNow > deadline)
                return now ?? last ?? throw new TimeoutException($"{name}: no stats within {within.TotalSeconds:0} s");
            last = now ?? last;
            await Task.Delay(2000);
        }
    }

    /// <summary>Writes <paramref name="keys"/> in batches of 1,000 (split by shard inside the client), four in flight,
    /// at Quorum. Throws if a batch fails: the per-entry figures need every key stored.</summary>
    public async Task WriteAllAsync(IReadOnlyList<string> keys, byte[] value)
    {
        var chunks = keys.Chunk(1_000).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < chunks.Length)
                await client.SetMultipleAsync(chunks[i].ToDictionary(k => k, _ => value), consistency: ConsistencyLevel.Quorum);
        }));
    }

    private static async Task WaitForAllShards(IClientProxyAccess access)
    {
                for (var i = 0; i < 450; i++) // bounded: about 90 s
        {
            try
            {
                var topology = await access.GetTopologyAsync();
                if (topology.Owners.Count == DistCacheSettings.Default.Shards)
                    return;
            }
            catch (AskTimeoutException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The cluster did not allocate every shard within 90 s.");
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();

    /// <summary>The values are already bytes: store them as they are (the default would JSON-encode them as base64).</summary>
    private sealed class PassThroughBytes : IValueSerializer
    {
        public byte[] Serialize<T>(T value) => value as byte[] ?? throw new ArgumentException("MemoryBench only stores byte[] values.");

        public T? Deserialize<T>(byte[] bytes) => (T)(object)bytes;
    }
}
