using System.Diagnostics;
using System.Globalization;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.LoadTest;

/// <summary>
/// How long another client's near cache serves the old value after a write is acknowledged (issue 15): a reader
/// client with a near cache caches a key, a writer client (no near cache) overwrites it with Quorum, and from the
/// acknowledgement the reader reads the key with Eventual reads, back to back, until it sees the new value. Each
/// round uses a fresh key (spread over the shards), and the reader has it cached before the write (checked: a
/// round whose value was not served from the near cache before the write is not counted). Only public API.
/// </summary>
internal static class Coherence
{
    public static async Task<int> RunAsync(string seed, int rounds, TextWriter output)
    {
        await using var writer = (await DistCacheTarget.ConnectAsync(seed, coalescing: true)).Client;
        await using var readerTarget = await DistCacheTarget.ConnectAsync(seed, coalescing: true, nearCacheEntries: rounds + 1);
        var reader = readerTarget.Client;
        var lags = new List<double>(rounds);
        var spins = new List<long>(rounds);
        var uncached = 0;
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency; // bounded: 2 minutes in all
        for (var round = 0; round < rounds && Stopwatch.GetTimestamp() < deadline; round++)
        {
            var key = "coherence:" + round.ToString("D6", CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N")[..8];
            byte[] before = [1, (byte)round], after = [2, (byte)round];
            await writer.SetBytesAsync(key, before, CacheExpiry.Never, ConsistencyLevel.Quorum);
            // Cache it in the reader: the first read fills the near cache (once the reader follows the shard's stream).
            var hitsBefore = (await readerTarget.NearCacheStatsAsync()).Hits;
            for (var i = 0; i < 50 && Stopwatch.GetTimestamp() < deadline; i++)
            {
                await reader.GetBytesAsync(key, ConsistencyLevel.Eventual);
                if ((await readerTarget.NearCacheStatsAsync()).Hits > hitsBefore)
                    break;
            }

            if ((await readerTarget.NearCacheStatsAsync()).Hits == hitsBefore)
            {
                uncached++;
                continue;
            }

            await writer.SetBytesAsync(key, after, CacheExpiry.Never, ConsistencyLevel.Quorum);
            var acknowledged = Stopwatch.GetTimestamp();
            long spin = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                spin++;
                var seen = await reader.GetBytesAsync(key, ConsistencyLevel.Eventual);
                if (seen is [2, ..])
                    break;
            }

            lags.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
            spins.Add(spin);
        }

        if (lags.Count == 0)
        {
            output.WriteLine($"coherence: no round could be measured ({uncached} rounds never served the key from the near cache).");
            return 1;
        }

        lags.Sort();
        double Pct(double p) => lags[Math.Clamp((int)Math.Ceiling(p / 100 * lags.Count) - 1, 0, lags.Count - 1)];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"coherence: {lags.Count} rounds ({uncached} not cached before the write, skipped): acknowledged Quorum write -> other client's near cache serves the new value: " +
            $"p50 {Pct(50):0.000} ms, p90 {Pct(90):0.000} ms, p99 {Pct(99):0.000} ms, max {lags[^1]:0.000} ms; reads until then: median {spins.Order().ElementAt(spins.Count / 2)}"));
        return 0;
    }
}
