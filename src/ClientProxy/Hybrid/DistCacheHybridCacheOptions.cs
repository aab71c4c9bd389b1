using DistCacheAkka.Messages;
using Microsoft.Extensions.Caching.Hybrid;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// Settings of the HybridCache that <c>services.AddDistCacheHybridCache()</c> registers. A mutable class (unlike the
/// client's options) so that the registration callback can set it; it is validated once, at registration.
/// </summary>
public sealed class DistCacheHybridCacheOptions
{
    /// <summary>Longest key accepted, in characters (it must also fit distcache.limits.max-key-bytes in UTF-8). Default 1,024.</summary>
    public int MaximumKeyLength { get; set; } = 1024;

    /// <summary>Largest serialized value stored, in bytes (the cluster's distcache.limits.max-value-bytes also applies).
    /// GetOrCreateAsync returns a larger value without storing it; SetAsync refuses it. Default 1 MiB.</summary>
    public int MaximumPayloadBytes { get; set; } = 1 << 20;

    /// <summary>Options of calls that pass none (and the parts a call leaves null). Default: Expiration 5 minutes, no
    /// LocalCacheExpiration, no flags.</summary>
    public HybridCacheEntryOptions DefaultEntryOptions { get; set; } = new() { Expiration = TimeSpan.FromMinutes(5) };

    /// <summary>Level of entry writes and removals. Null (the default): the client's DefaultConsistency.</summary>
    public ConsistencyLevel? WriteConsistency { get; set; }

    /// <summary>Level of cluster reads that bypass the near cache (flag DisableLocalCacheRead or DisableLocalCacheWrite).
    /// Null (the default): Quorum.</summary>
    public ConsistencyLevel? DirectReadConsistency { get; set; }

    /// <summary>Level of RemoveByTagAsync's marker writes. Default Quorum, so the removal survives a node's crash.</summary>
    public ConsistencyLevel TagConsistency { get; set; } = ConsistencyLevel.Quorum;

    /// <summary>The near cache switched on when AddDistCache's options have none (HybridCache's L1 is the near cache).
    /// Default: <see cref="NearCacheOptions"/> defaults (10,000 entries, no MaxAge).</summary>
    public NearCacheOptions DefaultNearCache { get; set; } = new();

    /// <summary>The first invalid setting, named, or null when all are valid.</summary>
    internal string? Problem() =>
        MaximumKeyLength <= 0 ? $"DistCacheHybridCacheOptions.MaximumKeyLength is {MaximumKeyLength}; it must be at least 1."
        : MaximumPayloadBytes <= 0 ? $"DistCacheHybridCacheOptions.MaximumPayloadBytes is {MaximumPayloadBytes}; it must be at least 1."
        : DefaultEntryOptions is null ? "DistCacheHybridCacheOptions.DefaultEntryOptions is null; it must be set."
        : DefaultEntryOptions.Expiration is { } e && e <= TimeSpan.Zero ? $"DistCacheHybridCacheOptions.DefaultEntryOptions.Expiration is {e}; it must be positive."
        : DefaultEntryOptions.LocalCacheExpiration is { } l && l <= TimeSpan.Zero ? $"DistCacheHybridCacheOptions.DefaultEntryOptions.LocalCacheExpiration is {l}; it must be positive."
        : !Enum.IsDefined(TagConsistency) ? $"DistCacheHybridCacheOptions.TagConsistency is {TagConsistency}; it must be Eventual, Quorum or Strong."
        : WriteConsistency is { } w && !Enum.IsDefined(w) ? $"DistCacheHybridCacheOptions.WriteConsistency is {w}; it must be Eventual, Quorum, Strong or null."
        : DirectReadConsistency is { } r && !Enum.IsDefined(r) ? $"DistCacheHybridCacheOptions.DirectReadConsistency is {r}; it must be Eventual, Quorum, Strong or null."
        : DefaultNearCache is null ? "DistCacheHybridCacheOptions.DefaultNearCache is null; it must be set."
        : DefaultNearCache.Problem();
}
