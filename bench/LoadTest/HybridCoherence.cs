using System.Diagnostics;
using System.Globalization;
using DistCacheAkka.ClientProxy;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.LoadTest;

/// <summary>
/// How long another application's HybridCache L1 keeps serving the old state after a HybridCache write is acknowledged
/// (issue 15, item 3). Two applications, each a container with AddDistCache + AddDistCacheHybridCache. Per round, on a
/// fresh key and tag: A sets the entry; B reads it until its L1 alone (flag DisableDistributedCacheRead) serves it;
/// then A sets a new value, removes the key, or removes the tag (rounds rotate), and from A's acknowledgement B reads
/// with its L1 alone, back to back, until it no longer gets the old value. For a tag removal that includes B's read of
/// the new tag marker from the cluster (the feed invalidated B's cached marker). Only public API.
/// </summary>
internal static class HybridCoherence
{
    private static readonly HybridCacheEntryOptions CacheOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };
    private static readonly HybridCacheEntryOptions L1Only = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableDistributedCacheRead,
    };

    private static readonly string[] Kinds = ["set", "remove", "tag"];

    public static async Task<int> RunAsync(string seed, int rounds, TextWriter output)
    {
        // Connecting a plain client first waits until the cluster has allocated every shard.
        await using (var _ = (await DistCacheTarget.ConnectAsync(seed, coalescing: true)).Client)
        {
        }

        await using var a = App(seed);
        await using var b = App(seed);
        var cacheA = a.GetRequiredService<HybridCache>();
        var cacheB = b.GetRequiredService<HybridCache>();
        var lags = Kinds.ToDictionary(k => k, _ => new List<double>(rounds / Kinds.Length + 1));
        var uncached = 0;
        var deadline = Stopwatch.GetTimestamp() + 110 * Stopwatch.Frequency; // bounded: under 2 minutes in all
        for (var round = 0; round < rounds && Stopwatch.GetTimestamp() < deadline; round++)
        {
            var kind = Kinds[round % Kinds.Length];
            var suffix = round.ToString("D6", CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N")[..8];
            var key = "hc-bench:" + suffix;
            string[] tags = ["hc-bench-tag:" + suffix];
            await cacheA.SetAsync(key, "old", tags: tags);
            var cached = false;
            for (var i = 0; i < 50 && !cached && Stopwatch.GetTimestamp() < deadline; i++)
            {
                await cacheB.GetOrCreateAsync<string?>(key, _ => default, CacheOnly, tags); // fills B's L1 once its shard is followed
                cached = await cacheB.GetOrCreateAsync<string?>(key, _ => default, L1Only, tags) == "old";
                if (!cached)
                    await Task.Delay(20); // pacing of the set-up retries, outside the measured interval
            }

            if (!cached)
            {
                uncached++;
                continue;
            }

            switch (kind)
            {
                case "set": await cacheA.SetAsync(key, "new", tags: tags); break;
                case "remove": await cacheA.RemoveAsync(key); break;
                default: await cacheA.RemoveByTagAsync(tags[0]); break;
            }

            var acknowledged = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() < deadline && await cacheB.GetOrCreateAsync<string?>(key, _ => default, L1Only, tags) == "old")
                await Task.Yield();
            lags[kind].Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
        }

        var all = lags.Values.SelectMany(l => l).ToList();
        if (all.Count == 0)
        {
            output.WriteLine($"hybrid-coherence: no round could be measured ({uncached} rounds never reached B's L1).");
            return 1;
        }

        output.WriteLine($"hybrid-coherence: {all.Count} rounds ({uncached} not in B's L1 before the write, skipped): " +
                         "acknowledged write in app A -> app B's L1 stops serving the old state");
        foreach (var (kind, list) in lags.Append(new KeyValuePair<string, List<double>>("all", all)))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-6} {Summary(list)}"));
        return 0;
    }

    private static string Summary(List<double> lags)
    {
        if (lags.Count == 0)
            return "no rounds";
        lags.Sort();
        double Pct(double p) => lags[Math.Clamp((int)Math.Ceiling(p / 100 * lags.Count) - 1, 0, lags.Count - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"{lags.Count,4} rounds: p50 {Pct(50):0.000} ms, p90 {Pct(90):0.000} ms, p99 {Pct(99):0.000} ms, max {lags[^1]:0.000} ms");
    }

    private static ServiceProvider App(string seed) =>
        new ServiceCollection()
            .AddDistCache(new DistCacheClientOptions
            {
                SeedNodes = [seed],
                ConnectTimeout = TimeSpan.FromSeconds(60),
                RequestTimeout = TimeSpan.FromSeconds(10),
                ExtraHocon = "akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR",
            })
            .AddDistCacheHybridCache()
            .BuildServiceProvider();
}
