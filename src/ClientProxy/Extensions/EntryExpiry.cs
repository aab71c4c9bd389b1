using DistCacheAkka.Messages;
using Microsoft.Extensions.Caching.Distributed;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// How one <see cref="DistributedCacheEntryOptions"/> is stored: the node-side expiry, and for a sliding entry that an
/// absolute expiry caps, the cap (<see cref="Cap"/>, kept in the value's trailer and checked by readers, see
/// <see cref="ValueFrame"/>).
/// </summary>
/// <param name="Expiry">What the node enforces: never, absolute (relative to the node's receipt) or a sliding window.</param>
/// <param name="Cap">The absolute deadline of a sliding entry that could otherwise outlive it; null when the node's expiry is enough.</param>
internal readonly record struct EntryExpiry(CacheExpiry Expiry, DateTimeOffset? Cap)
{
    /// <summary>
    /// Maps the options as Microsoft's caches do: an absolute expiry not in the future is refused; when both
    /// <see cref="DistributedCacheEntryOptions.AbsoluteExpiration"/> and
    /// <see cref="DistributedCacheEntryOptions.AbsoluteExpirationRelativeToNow"/> are set, the earlier deadline wins; a
    /// sliding window that reaches past the absolute deadline cannot matter and the entry is stored as absolute;
    /// a shorter one is stored as sliding with the deadline as its cap.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An absolute expiry not in the future, a relative or sliding
    /// expiry not positive, or any of them beyond <see cref="RequestValidation.MaxTtl"/> (3650 days); the parameter
    /// name is the option's.</exception>
    public static EntryExpiry From(DistributedCacheEntryOptions? options, DateTimeOffset now) =>
        options is null ? new EntryExpiry(CacheExpiry.Never, null)
            : From(options.AbsoluteExpiration, options.AbsoluteExpirationRelativeToNow, options.SlidingExpiration, now);

    /// <summary>As <see cref="From(DistributedCacheEntryOptions?, DateTimeOffset)"/>, from the three option values
    /// (DistributedCacheEntryOptions itself refuses non-positive relative and sliding values when they are set).</summary>
    public static EntryExpiry From(DateTimeOffset? absolute, TimeSpan? relative, TimeSpan? sliding, DateTimeOffset now)
    {
        const string absoluteName = nameof(DistributedCacheEntryOptions.AbsoluteExpiration);
        const string relativeName = nameof(DistributedCacheEntryOptions.AbsoluteExpirationRelativeToNow);
        const string slidingName = nameof(DistributedCacheEntryOptions.SlidingExpiration);
        var max = RequestValidation.MaxTtl;

        if (absolute is { } a && a <= now)
            throw new ArgumentOutOfRangeException(absoluteName, a, $"The absolute expiration value must be in the future (it is {a:O}, now is {now:O}).");
        if (absolute is { } far && far - now > max)
            throw new ArgumentOutOfRangeException(absoluteName, far, $"The absolute expiration is {(far - now).TotalDays:0} days away; the longest TTL is {max.TotalDays:0} days.");
        CheckDuration(relative, relativeName, "relative expiration", max);
        CheckDuration(sliding, slidingName, "sliding expiration", max);

        DateTimeOffset? deadline = (absolute, relative) switch
        {
            ({ } abs, { } rel) => Min(abs, now + rel),
            ({ } abs, null) => abs,
            (null, { } rel) => now + rel,
            _ => null,
        };

        return (deadline, sliding) switch
        {
            (null, null) => new EntryExpiry(CacheExpiry.Never, null),
            ({ } d, null) => new EntryExpiry(CacheExpiry.After(d - now), null),
            (null, { } s) => new EntryExpiry(CacheExpiry.Sliding(s), null),
            // The window reaches the deadline even if never renewed: the deadline alone decides.
            ({ } d, { } s) when s >= d - now => new EntryExpiry(CacheExpiry.After(d - now), null),
            ({ } d, { } s) => new EntryExpiry(CacheExpiry.Sliding(s), d),
        };
    }

    private static void CheckDuration(TimeSpan? value, string name, string what, TimeSpan max)
    {
        if (value is not { } v)
            return;
        if (v <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, v, $"The {what} value must be positive (it is {v}).");
        if (v > max)
            throw new ArgumentOutOfRangeException(name, v, $"The {what} is {v.TotalDays:0.#} days; the longest TTL is {max.TotalDays:0} days.");
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
}
