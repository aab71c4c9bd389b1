using System.Globalization;
using StackExchange.Redis;

namespace DistCacheAkka.MemoryBench;

/// <summary>
/// Bytes of memory per entry. DistCacheAkka: the data nodes' accounted MemoryUsedBytes and their processes' RSS, each
/// after a warm-up write and again after writing N fresh keys (the growth, per stored copy and per key; R copies per
/// key). Redis: INFO memory used_memory (and used_memory_rss) growth for the same keys and values. Keys are
/// "key:0000000" (11 ASCII characters); values are random bytes of the given size.
/// </summary>
internal static class PerEntry
{
    private const int WarmupKeys = 2_000;

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var keyCount = o.Int("keys", 200_000);
        var valueSize = o.Int("value-size", 100);
        var keys = Enumerable.Range(0, keyCount).Select(i => "key:" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var warmup = Enumerable.Range(0, WarmupKeys).Select(i => "wup:" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var value = new byte[valueSize];
        new Random(42).NextBytes(value);
        var payload = keys[0].Length + valueSize;
        return o.String("redis") is { } redis
            ? await RedisAsync(redis, o.Int("redis-pid", 0), keys, warmup, value, payload)
            : await DistCacheAsync(o.Required("seed"), o.Pids("pids"), o.String("gcdump-dir"), keys, warmup, value, payload);
    }

    private static async Task<int> DistCacheAsync(string seed, int[] pids, string? gcdump, string[] keys, string[] warmup, byte[] value, int payload)
    {
        await using var cluster = await Cluster.ConnectAsync("DistCacheAkka", seed, pids);
        await cluster.WriteAllAsync(warmup, value); // JIT, buffers, dictionaries of every shard touched: not per-entry costs
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = await cluster.SettleAsync(TimeSpan.FromSeconds(30));
        var rssBefore = pids.Select(ProcessMemory.Rss).ToArray();
        var heapBefore = await LiveHeapsAsync(gcdump, pids); // after RSS: the induced GC may shrink it
        var started = DateTime.UtcNow;
        await cluster.WriteAllAsync(keys, value);
        var writeSeconds = (DateTime.UtcNow - started).TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10)); // the nodes' GCs run on their own; give the last batches' garbage time to go
        var after = await cluster.SettleAsync(TimeSpan.FromSeconds(60));
        var rssAfter = pids.Select(ProcessMemory.Rss).ToArray();
        var heapAfter = await LiveHeapsAsync(gcdump, pids);

        var copies = (after.TotalEntries + after.TotalBackupEntries) - (before.TotalEntries + before.TotalBackupEntries);
        var accounted = after.TotalMemoryUsedBytes - before.TotalMemoryUsedBytes;
        var rss = rssAfter.Sum() - rssBefore.Sum();
        var perKeyCopies = (double)copies / keys.Length;
        Console.WriteLine($"DistCacheAkka, value {value.Length} B: wrote {keys.Length:N0} keys in {writeSeconds:0.0} s; stored copies +{copies:N0} " +
                          $"({perKeyCopies:0.00} per key); evictions {after.Evictions:N0}");
        for (var i = 0; i < pids.Length; i++)
            Console.WriteLine($"  pid {pids[i]}: RSS {Figures.MiB(rssBefore[i])} -> {Figures.MiB(rssAfter[i])} MiB; " +
                              $"live GC heap (dotnet-gcdump) {Figures.MiB(heapBefore[i])} -> {Figures.MiB(heapAfter[i])} MiB");
        foreach (var n in after.Nodes)
            Console.WriteLine($"  {n.Node}: accounted {Figures.MiB(n.MemoryUsedBytes)} MiB of {Figures.MiB(n.MemoryLimitBytes)} MiB, " +
                              $"{n.PrimaryEntries:N0} primaries + {n.BackupEntries:N0} backups");
        Console.WriteLine($"RESULT | DistCacheAkka | {value.Length} | {keys.Length:N0} | {payload} | " +
                          $"accounted {Figures.F1((double)accounted / copies)} per copy, {Figures.F1((double)accounted / keys.Length)} per key | " +
                          $"RSS {Figures.F1((double)rss / copies)} per copy, {Figures.F1((double)rss / keys.Length)} per key |" +
                          (heapBefore.Contains(-1) || heapAfter.Contains(-1) ? " live heap n/a |"
                              : $" live heap {Figures.F1((double)(heapAfter.Sum() - heapBefore.Sum()) / copies)} per copy, " +
                                $"{Figures.F1((double)(heapAfter.Sum() - heapBefore.Sum()) / keys.Length)} per key |"));
        return 0;
    }

    private static async Task<int> RedisAsync(string endpoint, int pid, string[] keys, string[] warmup, byte[] value, int payload)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,abortConnect=false,syncTimeout=30000,asyncTimeout=30000");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var db = redis.GetDatabase();
        await server.FlushAllDatabasesAsync();
        await WriteAsync(db, warmup, value);
        var before = await MemoryAsync(server);
        var rssBefore = ProcessMemory.Rss(pid);
        var started = DateTime.UtcNow;
        await WriteAsync(db, keys, value);
        var writeSeconds = (DateTime.UtcNow - started).TotalSeconds;
        var after = await MemoryAsync(server);
        var rssAfter = ProcessMemory.Rss(pid);
        var dbsize = await server.DatabaseSizeAsync();
        Console.WriteLine($"Redis, value {value.Length} B: wrote {keys.Length:N0} keys in {writeSeconds:0.0} s; dbsize {dbsize:N0}; " +
                          $"used_memory {before.Used:N0} -> {after.Used:N0}; used_memory_rss {before.Rss:N0} -> {after.Rss:N0}; " +
                          $"/proc RSS {Figures.MiB(rssBefore)} -> {Figures.MiB(rssAfter)} MiB");
        Console.WriteLine($"RESULT | Redis | {value.Length} | {keys.Length:N0} | {payload} | " +
                          $"used_memory {Figures.F1((double)(after.Used - before.Used) / keys.Length)} per key (1 copy) | " +
                          $"RSS {Figures.F1((double)(rssAfter - rssBefore) / keys.Length)} per key (/proc; used_memory_rss lags, Redis samples it) |");
        await server.FlushAllDatabasesAsync();
        return 0;
    }

    private static async Task<long[]> LiveHeapsAsync(string? gcdump, int[] pids)
    {
        var heaps = new long[pids.Length];
        for (var i = 0; i < pids.Length; i++)
            heaps[i] = await GcHeap.LiveBytesAsync(gcdump, pids[i]);
        return heaps;
    }

    private static async Task WriteAsync(IDatabase db, string[] keys, byte[] value)
    {
        foreach (var chunk in keys.Chunk(1_000))
            await db.StringSetAsync(chunk.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, value)).ToArray());
    }

    private static async Task<(long Used, long Rss)> MemoryAsync(IServer server)
    {
        var info = (await server.InfoAsync("memory")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (long.Parse(info["used_memory"], CultureInfo.InvariantCulture), long.Parse(info["used_memory_rss"], CultureInfo.InvariantCulture));
    }
}
