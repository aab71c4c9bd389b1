using System.Text;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Messages;

/// <summary>
/// The request rules both sides enforce with the same words: the client throws <see cref="ArgumentException"/>
/// before sending, the node answers InvalidRequest (for Akka applications that bypass the client).
/// Each method returns null when the input is valid, otherwise a message naming the problem.
/// </summary>
public static class RequestValidation
{
    /// <summary>The longest TTL or sliding window a write may carry (3650 days); longer ones are refused as absurd.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);

    public static string? CheckKey(string? key, DistCacheSettings settings)
    {
        if (key is null)
            return "The key is null; a key must be a non-empty string.";
        if (key.Length == 0)
            return "The key is empty; a key must be a non-empty string.";
        if (key.Length > settings.MaxKeyBytes) // each char is at least one UTF-8 byte: cheap early out
            return $"The key is {Encoding.UTF8.GetByteCount(key)} UTF-8 bytes long; the limit is {settings.MaxKeyBytes} (distcache.limits.max-key-bytes).";
        if (key.Length * 3 > settings.MaxKeyBytes)
        {
            var bytes = Encoding.UTF8.GetByteCount(key);
            if (bytes > settings.MaxKeyBytes)
                return $"The key is {bytes} UTF-8 bytes long; the limit is {settings.MaxKeyBytes} (distcache.limits.max-key-bytes).";
        }

        return null;
    }

    public static string? CheckValue(string key, byte[]? value, DistCacheSettings settings)
    {
        if (value is null)
            return $"The value of key '{Shorten(key)}' is null; store an empty array or remove the key instead.";
        if (value.Length > settings.MaxValueBytes)
            return $"The value of key '{Shorten(key)}' is {value.Length} bytes; the limit is {settings.MaxValueBytes} (distcache.limits.max-value-bytes).";
        return null;
    }

    public static string? CheckExpiry(CacheExpiry expiry)
    {
        if (expiry.Kind is not (ExpiryKind.None or ExpiryKind.Absolute or ExpiryKind.Sliding))
            return $"The expiry kind {(int)expiry.Kind} is not defined; use None, Absolute or Sliding.";
        if (expiry.Kind != ExpiryKind.None && expiry.Duration <= TimeSpan.Zero)
            return $"The TTL is {expiry.Duration}; a TTL must be positive (omit it for entries that never expire).";
        if (expiry.Kind != ExpiryKind.None && expiry.Duration > MaxTtl)
            return $"The TTL is {expiry.Duration}; the longest TTL is {MaxTtl.TotalDays:0} days.";
        return null;
    }

    public static string? CheckConsistency(ConsistencyLevel level) =>
        level is ConsistencyLevel.Eventual or ConsistencyLevel.Quorum or ConsistencyLevel.Strong
            ? null
            : $"The consistency level {(int)level} is not defined; use Eventual, Quorum or Strong.";

    /// <summary>A key shortened for messages, so a 1 KiB key does not flood a log line.</summary>
    public static string Shorten(string? key) =>
        key is null ? "<null>" : key.Length <= 64 ? key : string.Concat(key.AsSpan(0, 61), "...");
}
