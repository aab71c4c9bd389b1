using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Memory;

/// <summary>
/// The <c>distcache.memory</c> section of a data node, validated once: the byte budget for everything the node holds
/// for the cache (primary and backup entries, tombstones and their measured overhead) and what happens at the limit.
/// </summary>
internal sealed partial record MemorySettings(
    long ConfiguredLimitBytes,
    double LimitFraction,
    EvictionPolicy Policy,
    int EvictionSamples,
    TimeSpan EvictionTombstoneGrace,
    double GcThrashingPauseFraction)
{
    public static MemorySettings Default { get; } = Create(DistCacheConfig.Reference);

    public static MemorySettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache.memory");
        return new MemorySettings(
            ParseSize("distcache.memory.limit", c.GetString("limit")),
            FractionIn(c, "limit-fraction", 0.05, 0.95),
            ParsePolicy(c.GetString("eviction-policy")),
            SamplesIn(c, "eviction-samples"),
            PositiveDuration(c, "eviction-tombstone-grace"),
            FractionIn(c, "gc-thrashing-pause-fraction", 0.05, 1.0));
    }

    /// <summary>
    /// The budget in bytes: the configured limit, or <see cref="LimitFraction"/> of the memory the runtime may use
    /// (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>: a container limit, <c>DOTNET_GCHeapHardLimit</c>, or the
    /// machine's memory). The rest is left to the GC, Akka, remoting buffers and requests in flight.
    /// </summary>
    public long EffectiveLimitBytes(long totalAvailableBytes) =>
        ConfiguredLimitBytes > 0 ? ConfiguredLimitBytes : (long)(totalAvailableBytes * LimitFraction);

    /// <summary>Parses a size such as <c>512MiB</c>, <c>2GB</c>, <c>1048576</c> or <c>0</c> (= derived default).</summary>
    public static long ParseSize(string what, string? raw)
    {
        var match = SizePattern().Match(raw?.Trim() ?? "");
        if (!match.Success)
            throw Bad(what, raw);
        var number = decimal.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        decimal unit = match.Groups["u"].Value.ToLowerInvariant() switch
        {
            "" or "b" => 1m,
            "k" or "kib" => 1024m,
            "kb" => 1000m,
            "m" or "mib" => 1024m * 1024,
            "mb" => 1000m * 1000,
            "g" or "gib" => 1024m * 1024 * 1024,
            "gb" => 1000m * 1000 * 1000,
            "t" or "tib" => 1024m * 1024 * 1024 * 1024,
            "tb" => 1000m * 1000 * 1000 * 1000,
            _ => throw Bad(what, raw),
        };
        var bytes = number * unit;
        if (bytes > long.MaxValue || (bytes > 0 && bytes < 1024 * 1024))
            throw new DistCacheConfigurationException(
                $"`{what}` is \"{raw}\"; it must be 0 (derived from the memory the runtime may use) or at least 1MiB.");
        return (long)bytes;
    }

    private static DistCacheConfigurationException Bad(string what, string? raw) => new(
        $"`{what}` is \"{raw}\"; it must be a size such as 512MiB, 2GB or 1048576 (bytes), or 0 for the derived default.");

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)\s*(?<u>[a-zA-Z]*)$")]
    private static partial Regex SizePattern();

    private static EvictionPolicy ParsePolicy(string? raw) => raw?.Trim().ToLowerInvariant() switch
    {
        "lru" => EvictionPolicy.Lru,
        "lfu" => EvictionPolicy.Lfu,
        "volatile-ttl" => EvictionPolicy.VolatileTtl,
        "noeviction" => EvictionPolicy.NoEviction,
        _ => throw new DistCacheConfigurationException(
            $"`distcache.memory.eviction-policy` is \"{raw}\"; it must be one of lru, lfu, volatile-ttl, noeviction."),
    };

    private static double FractionIn(Config c, string key, double min, double max)
    {
        var raw = c.GetString(key);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new DistCacheConfigurationException(
                $"`distcache.memory.{key}` is \"{raw}\"; it must be a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
        return value;
    }

    private static int SamplesIn(Config c, string key)
    {
        var raw = c.GetString(key);
        if (!int.TryParse(raw, out var value) || value is < 1 or > 64)
            throw new DistCacheConfigurationException($"`distcache.memory.{key}` is \"{raw}\"; it must be an integer between 1 and 64.");
        return value;
    }

    private static TimeSpan PositiveDuration(Config c, string key)
    {
        TimeSpan value;
        try
        {
            value = c.GetTimeSpan(key, TimeSpan.Zero, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            value = TimeSpan.Zero;
        }

        if (value <= TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"`distcache.memory.{key}` is \"{c.GetString(key)}\"; it must be a positive duration such as 5s.");
        return value;
    }
}
