using Akka.Configuration;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy;

/// <summary>
/// Request coalescing of the ClientProxy (<c>distcache.client.coalescing</c> in reference.conf, which documents
/// each key; <see cref="PlacementRefresh"/> is unused since data path v2). <see cref="ReplyTimeout"/> is not configuration: it is the client's request timeout, how long a
/// node's gateway waits for a coalesced command's reply.
/// </summary>
public sealed record CoalescingSettings(bool Enabled, int MaxBatch, int MaxInFlight, TimeSpan MaxDelay, TimeSpan PlacementRefresh, TimeSpan ReplyTimeout)
{
    /// <summary>Whether envelopes go over a node's data plane when it advertises one (README, "The data plane"); false:
    /// Akka remoting only. Not configuration: <see cref="DistCacheClientOptions.UseDataPlane"/>.</summary>
    public bool UseDataPlane { get; init; } = true;

    /// <summary>The client's TLS identity for the data plane's mutual-TLS handshake; null: plaintext connections.</summary>
    internal Security.TlsMaterial? DataPlaneTls { get; init; }

    /// <summary>The reference defaults, with a 5 s reply timeout (the client's default request timeout).</summary>
    public static CoalescingSettings Default { get; } = Create(DistCacheConfig.Reference);

    /// <summary>Reads <c>distcache.client.coalescing</c> from <paramref name="config"/> (reference.conf as fallback).</summary>
    /// <exception cref="DistCacheConfigurationException">A value is out of range; the message names the key.</exception>
    public static CoalescingSettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache.client.coalescing");
        return new CoalescingSettings(
            c.GetBoolean("enabled"),
            IntIn(c, "max-batch", 1, 4096),
            IntIn(c, "max-in-flight", 1, 1024),
            Duration(c, "max-delay", allowZero: true),
            Duration(c, "placement-refresh", allowZero: false),
            TimeSpan.FromSeconds(5));
    }

    private static int IntIn(Config c, string key, int min, int max) =>
        long.TryParse(c.GetString(key), out var value) && value >= min && value <= max
            ? (int)value
            : throw Invalid(key, c.GetString(key), $"an integer between {min} and {max}");

    private static TimeSpan Duration(Config c, string key, bool allowZero)
    {
        var rule = allowZero ? "0s or a positive duration" : "a positive duration such as 2s";
        TimeSpan value;
        try
        {
            value = c.GetTimeSpan(key, TimeSpan.Zero, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw Invalid(key, c.GetString(key), rule);
        }

        return value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero) ? value : throw Invalid(key, c.GetString(key), rule);
    }

    private static DistCacheConfigurationException Invalid(string key, string? value, string rule) =>
        new($"`distcache.client.coalescing.{key}` is \"{value}\"; it must be {rule}.");
}
