using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Memory;

// distcache.memory: defaults from reference.conf, sizes with units, a budget derived from the runtime's memory when no
// limit is set, and validation messages that name the key, the value and the rule.
public class MemorySettingsSpecs
{
    private static MemorySettings From(string hocon) => MemorySettings.Create(DistCacheConfig.WithReference(hocon));

    [Fact]
    public void Should_default_to_half_of_the_runtime_memory_and_lru()
    {
        var settings = MemorySettings.Default;

        Assert.Equal(0, settings.ConfiguredLimitBytes);
        Assert.Equal(EvictionPolicy.Lru, settings.Policy);
        Assert.Equal(5, settings.EvictionSamples);
        Assert.Equal(192L * 1024 * 1024, settings.EffectiveLimitBytes(384L * 1024 * 1024));
    }

    [Theory]
    [InlineData("512MiB", 512L * 1024 * 1024)]
    [InlineData("2GB", 2_000_000_000L)]
    [InlineData("1.5GiB", 1536L * 1024 * 1024)]
    [InlineData("1048576", 1048576L)]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("0", 0L)]
    public void Should_parse_sizes(string raw, long bytes) =>
        Assert.Equal(bytes, From($"distcache.memory.limit = \"{raw}\"").ConfiguredLimitBytes);

    [Fact]
    public void Should_use_a_configured_limit_over_the_derived_one()
    {
        Assert.Equal(64L * 1024 * 1024, From("distcache.memory.limit = 64MiB").EffectiveLimitBytes(24L << 30));
    }

    [Theory]
    [InlineData("distcache.memory.limit = \"lots\"", "`distcache.memory.limit` is \"lots\"; it must be a size such as 512MiB")]
    [InlineData("distcache.memory.limit = \"12 parsecs\"", "`distcache.memory.limit` is \"12 parsecs\"")]
    [InlineData("distcache.memory.limit = 1000", "it must be 0 (derived from the memory the runtime may use) or at least 1MiB")]
    [InlineData("distcache.memory.eviction-policy = random", "`distcache.memory.eviction-policy` is \"random\"; it must be one of lru, lfu, volatile-ttl, noeviction.")]
    [InlineData("distcache.memory.limit-fraction = 1.5", "`distcache.memory.limit-fraction` is \"1.5\"; it must be a number between 0.05 and 0.95.")]
    [InlineData("distcache.memory.eviction-samples = 0", "`distcache.memory.eviction-samples` is \"0\"; it must be an integer between 1 and 64.")]
    [InlineData("distcache.memory.eviction-tombstone-grace = 0s", "`distcache.memory.eviction-tombstone-grace` is \"0s\"; it must be a positive duration")]
    public void Should_name_the_key_the_value_and_the_rule(string hocon, string message)
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() => From(hocon));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("lru", "Lru")]
    [InlineData("LFU", "Lfu")]
    [InlineData("volatile-ttl", "VolatileTtl")]
    [InlineData("noeviction", "NoEviction")]
    public void Should_parse_every_policy(string raw, string policy) =>
        Assert.Equal(policy, From($"distcache.memory.eviction-policy = {raw}").Policy.ToString());
}
