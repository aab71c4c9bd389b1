using Microsoft.Extensions.Caching.Hybrid;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>Where an entry is read from (L1 is the client's near cache, L2 the cluster).</summary>
internal enum HybridRead
{
    /// <summary>Neither tier: always a miss.</summary>
    None,

    /// <summary>The near cache only, no round trip.</summary>
    NearOnly,

    /// <summary>An Eventual read through the near cache: a hit, or a read of the primary that fills the near cache.</summary>
    NearThenCluster,

    /// <summary>The near cache, and on a miss the cluster without filling the near cache.</summary>
    NearThenDirect,

    /// <summary>The cluster, past the near cache.</summary>
    Direct,
}

/// <summary>
/// What one call may do, from its <see cref="HybridCacheEntryFlags"/>. The near cache mirrors the cluster, so it is
/// filled only by reads from the cluster ("local write" = a read from L2 may fill L1) and cannot hold a value the
/// cluster does not.
/// </summary>
/// <param name="Read">Where to look for the entry.</param>
/// <param name="WriteCluster">Whether a created or set value is written to the cluster (without it nothing is stored).</param>
/// <param name="RunFactory">Whether GetOrCreateAsync may run its factory on a miss (otherwise it returns default).</param>
internal sealed record HybridPlan(HybridRead Read, bool WriteCluster, bool RunFactory)
{
    public static HybridPlan Of(HybridCacheEntryFlags flags)
    {
        var localRead = !flags.HasFlag(HybridCacheEntryFlags.DisableLocalCacheRead);
        var localWrite = !flags.HasFlag(HybridCacheEntryFlags.DisableLocalCacheWrite);
        var clusterRead = !flags.HasFlag(HybridCacheEntryFlags.DisableDistributedCacheRead);
        var read = (localRead, clusterRead) switch
        {
            (true, true) => localWrite ? HybridRead.NearThenCluster : HybridRead.NearThenDirect,
            (false, true) => HybridRead.Direct,
            (true, false) => HybridRead.NearOnly,
            _ => HybridRead.None,
        };
        return new HybridPlan(read, !flags.HasFlag(HybridCacheEntryFlags.DisableDistributedCacheWrite),
            !flags.HasFlag(HybridCacheEntryFlags.DisableUnderlyingData));
    }

    /// <summary>This plan with the near cache skipped (a near copy older than LocalCacheExpiration).</summary>
    public HybridPlan PastNear() => Read switch
    {
        HybridRead.NearThenCluster or HybridRead.NearThenDirect => this with { Read = HybridRead.Direct },
        HybridRead.NearOnly => this with { Read = HybridRead.None },
        _ => this,
    };
}
