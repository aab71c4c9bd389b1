namespace DistCacheAkka.Messages;

/// <summary>Wire values are append-only: never renumber.</summary>
public enum ExpiryKind : byte
{
    /// <summary>The entry lives until removed or evicted.</summary>
    None = 0,

    /// <summary>The entry expires <see cref="CacheExpiry.Duration"/> after it was written.</summary>
    Absolute = 1,

    /// <summary>The entry expires when it was not read or written for <see cref="CacheExpiry.Duration"/>.</summary>
    Sliding = 2,
}

/// <summary>Time to live of a write. <see cref="Duration"/> is positive unless <see cref="Kind"/> is None.</summary>
public readonly record struct CacheExpiry(ExpiryKind Kind, TimeSpan Duration)
{
    public static readonly CacheExpiry Never = new(ExpiryKind.None, TimeSpan.Zero);

    public static CacheExpiry After(TimeSpan ttl) => new(ExpiryKind.Absolute, ttl);

    public static CacheExpiry Sliding(TimeSpan window) => new(ExpiryKind.Sliding, window);

    public override string ToString() => Kind switch
    {
        ExpiryKind.None => "never",
        ExpiryKind.Absolute => $"absolute {Duration}",
        _ => $"sliding {Duration}",
    };
}
