using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using StackExchange.Redis;

namespace DistCacheAkka.LoadTest;

/// <summary>Something the workload runner can read from and write to, one request at a time per caller.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Writes every key once, so reads during the measurement hit.</summary>
    Task PreloadAsync(IReadOnlyList<string> keys, byte[] value);

    Task GetAsync(string key, ConsistencyLevel level);

    Task SetAsync(string key, byte[] value, ConsistencyLevel level);
}

/// <summary>DistCacheAkka through the public client API (<see cref="DistCacheClient.ConnectAsync"/>), byte-level calls.</summary>
internal sealed class DistCacheTarget(IDistCacheClient client, bool coalescing, bool nearCache) : ILoadTarget
{
    public string Name => (nearCache ? "DistCacheAkka, near cache" : coalescing ? "DistCacheAkka" : "DistCacheAkka, no coalescing") + (Tls ? ", TLS" : "") + (DataPlane ? "" : ", no data plane");

    private bool Tls { get; init; }

    private bool DataPlane { get; init; } = true;

    public IDistCacheClient Client => client;

    public bool HasNearCache => nearCache;

    /// <summary>The near cache's counters (zero without one), from the client's stats.</summary>
    public async Task<NearCacheStats> NearCacheStatsAsync() =>
        (await client.GetStatsAsync()).NearCache ?? new NearCacheStats(0, 0, 0, 0);

    public static async Task<DistCacheTarget> ConnectAsync(string seed, bool coalescing, int? nearCacheEntries = null, DistCacheTlsOptions? tls = null, bool dataPlane = true)
    {
        var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(10),
            ValueSerializer = new PassThroughBytes(),
            NearCache = nearCacheEntries is { } entries ? new NearCacheOptions { MaxEntries = entries } : null,
            Tls = tls,
            UseDataPlane = dataPlane,
            ExtraHocon = $"akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR\ndistcache.client.coalescing.enabled = {(coalescing ? "on" : "off")}",
        });
        await WaitForAllShards((IClientProxyAccess)client);
        return new DistCacheTarget(client, coalescing, nearCacheEntries is not null) { Tls = tls is not null, DataPlane = dataPlane };
    }

    /// <summary>A fresh cluster allocates its 1,024 shards some seconds after the membership settles, then moves some
    /// to balance them (each node floor or ceil of S/N, the ring's placement): measure after both, since a shard moving
    /// costs its recovery and runs measured meanwhile differed up to 2.5x (bench/RESULTS.md, lever 3).</summary>
    private static async Task WaitForAllShards(IClientProxyAccess access)
    {
        var shards = DistCacheSettings.Default.Shards;
        for (var i = 0; i < 450; i++) // bounded: about 90 s
        {
            var topology = await access.GetTopologyAsync();
            if (topology.Owners.Count == shards && topology.DataNodes.Count > 0)
            {
                var perNode = topology.DataNodes.Select(node => topology.Owners.Values.Count(owner => owner == node)).ToList();
                if (perNode.Min() >= shards / topology.DataNodes.Count && perNode.Max() <= (shards + topology.DataNodes.Count - 1) / topology.DataNodes.Count)
                    return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The cluster did not place every shard, balanced, within 90 s.");
    }

    public async Task PreloadAsync(IReadOnlyList<string> keys, byte[] value)
    {
        // Batches of 1,000 keys (split by shard inside the client), four in flight.
        var chunks = keys.Chunk(1_000).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < chunks.Length)
                await client.SetMultipleAsync(chunks[i].ToDictionary(k => k, _ => value), consistency: ConsistencyLevel.Quorum);
        }));
        if (!nearCache)
            return;
        // A near cache fills on reads (batch reads bypass it): read every key once, 64 in flight, so the workloads
        // start from the steady state of a read-mostly application rather than from a cold cache.
        next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys.Count)
                await client.GetBytesAsync(keys[i], ConsistencyLevel.Eventual);
        }));
    }

    public Task GetAsync(string key, ConsistencyLevel level) => client.GetBytesAsync(key, level);

    public Task SetAsync(string key, byte[] value, ConsistencyLevel level) =>
        client.SetBytesAsync(key, value, CacheExpiry.Never, level);

    public ValueTask DisposeAsync() => client.DisposeAsync();

    /// <summary>The values are already bytes: store them as they are (the default would JSON-encode them as base64).</summary>
    private sealed class PassThroughBytes : IValueSerializer
    {
        public byte[] Serialize<T>(T value) => value as byte[] ?? throw new ArgumentException("LoadTest only stores byte[] values.");

        public T? Deserialize<T>(byte[] bytes) => (T)(object)bytes;
    }
}

/// <summary>
/// A Redis-protocol server through StackExchange.Redis, one multiplexed connection as its documentation recommends:
/// Redis standalone, Garnet, or a Redis Cluster (given all its endpoints, the multiplexer discovers the slot map and
/// sends each command to the master that owns the key's slot).
/// </summary>
internal sealed class RedisTarget(ConnectionMultiplexer connection, string name, string kind, bool cluster) : ILoadTarget
{
    private readonly IDatabase _db = connection.GetDatabase();

    /// <summary>The row name; "Redis" is the standalone baseline the report's ratios divide by.</summary>
    public string Name => name;

    /// <summary>The key of this target's server process ids in <c>--pids</c>: redis, garnet or redis-cluster.</summary>
    public string Kind => kind;

    public static async Task<RedisTarget> ConnectAsync(string endpoints, string name, string kind, bool cluster = false)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync($"{endpoints},abortConnect=false,connectTimeout=10000,syncTimeout=10000,asyncTimeout=10000");
        if (cluster)
        {
            // Bounded: about 30 s for the multiplexer to learn the slot map and reach every master.
            for (var i = 0; i < 150 && !ClusterReady(connection); i++)
                await Task.Delay(200);
            if (!ClusterReady(connection))
            {
                await connection.DisposeAsync();
                throw new TimeoutException($"{name}: StackExchange.Redis did not see a cluster with 3 connected masters within 30 s.");
            }
        }

        return new RedisTarget(connection, name, kind, cluster);
    }

    private static bool ClusterReady(ConnectionMultiplexer connection) =>
        connection.GetServers().Count(s => s.IsConnected && !s.IsReplica && s.ServerType == ServerType.Cluster) >= 3;

    public async Task PreloadAsync(IReadOnlyList<string> keys, byte[] value)
    {
        foreach (var chunk in keys.Chunk(1_000))
        {
            if (cluster)
                // An MSET must stay within one hash slot in a cluster: pipeline one SET per key instead.
                await Task.WhenAll(chunk.Select(k => _db.StringSetAsync(k, value)));
            else
                await _db.StringSetAsync(chunk.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, value)).ToArray());
        }
    }

    public Task GetAsync(string key, ConsistencyLevel level) => _db.StringGetAsync(key);

    public Task SetAsync(string key, byte[] value, ConsistencyLevel level) => _db.StringSetAsync(key, value);

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}
