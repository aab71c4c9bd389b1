using DistCacheAkka.ClientProxy.Hybrid;
using Microsoft.Extensions.Caching.Hybrid;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// How HybridCacheEntryFlags map onto the two tiers (L1 = near cache, filled only by reads from L2).
public class HybridPlanSpecs
{
    [Theory]
    [InlineData(HybridCacheEntryFlags.None, nameof(HybridRead.NearThenCluster), true, true)]
    [InlineData(HybridCacheEntryFlags.DisableLocalCacheWrite, nameof(HybridRead.NearThenDirect), true, true)]
    [InlineData(HybridCacheEntryFlags.DisableLocalCacheRead, nameof(HybridRead.Direct), true, true)]
    [InlineData(HybridCacheEntryFlags.DisableLocalCache, nameof(HybridRead.Direct), true, true)]
    [InlineData(HybridCacheEntryFlags.DisableDistributedCacheRead, nameof(HybridRead.NearOnly), true, true)]
    [InlineData(HybridCacheEntryFlags.DisableDistributedCacheWrite, nameof(HybridRead.NearThenCluster), false, true)]
    [InlineData(HybridCacheEntryFlags.DisableDistributedCache, nameof(HybridRead.NearOnly), false, true)]
    [InlineData(HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableLocalCache, nameof(HybridRead.None), false, true)]
    [InlineData(HybridCacheEntryFlags.DisableUnderlyingData, nameof(HybridRead.NearThenCluster), true, false)]
    public void Should_map_flags_to_reads_writes_and_the_factory(HybridCacheEntryFlags flags, string read, bool writeCluster, bool runFactory) =>
        Assert.Equal(new HybridPlan(Enum.Parse<HybridRead>(read), writeCluster, runFactory), HybridPlan.Of(flags));

    [Fact]
    public void Should_skip_the_near_cache_when_its_copy_is_too_old()
    {
        Assert.Equal(HybridRead.Direct, HybridPlan.Of(HybridCacheEntryFlags.None).PastNear().Read);
        Assert.Equal(HybridRead.None, HybridPlan.Of(HybridCacheEntryFlags.DisableDistributedCacheRead).PastNear().Read);
        Assert.Equal(HybridRead.Direct, HybridPlan.Of(HybridCacheEntryFlags.DisableLocalCacheRead).PastNear().Read);
    }
}
