using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Settings;

// Verifies the typed distcache.* settings: the defaults come from the embedded reference.conf, overrides are read,
// and every validation rule fails fast at startup with a message that names the key, the offending value and the
// rule, so an operator can fix the configuration without reading code.
public class DistCacheSettingsSpecs
{
    private static DistCacheSettings Parse(string hocon) => DistCacheSettings.Create(DistCacheConfig.WithReference(hocon));

    [Fact]
    public void Should_read_the_defaults_from_reference_conf()
    {
        var s = DistCacheSettings.Default;

        Assert.Equal(1024, s.Shards);
        Assert.Equal(KeyHashAlgorithm.XxHash64, s.HashAlgorithm);
        Assert.Equal(150, s.VirtualNodes);
        Assert.Equal(2, s.ReplicationFactor);
        Assert.Equal(ConsistencyLevel.Quorum, s.DefaultConsistency);
        Assert.Equal(TimeSpan.FromSeconds(3), s.OperationTimeout);
        Assert.Equal(1024, s.MaxKeyBytes);
        Assert.Equal(1024 * 1024, s.MaxValueBytes);
        Assert.Equal(512 * 1024, s.MaxBatchBytes);
        Assert.Equal(TimeSpan.FromSeconds(1), s.ExpirySweepInterval);
        Assert.Equal(64, s.ExpirySweepSampleSize);
        Assert.Equal(TimeSpan.FromSeconds(60), s.TombstoneGrace);
        Assert.Equal("distcache", s.RegionName);
        Assert.Equal("cache", s.DataRole);
        Assert.Equal(10_000, s.RecoveryMaxStashed);
        Assert.Equal(TimeSpan.FromSeconds(4), s.RecoveryTimeout);
        Assert.Equal(s, DistCacheSettings.Create(DistCacheConfig.Reference));
        Assert.Equal(s, Parse(""));
    }

    [Fact]
    public void Should_read_overrides_and_fall_back_to_the_reference_for_the_rest()
    {
        var s = Parse("""
            distcache {
              shards = 7
              hash-algorithm = SHA256
              default-consistency = " Strong "
              operation-timeout = 500ms
              limits.max-batch-bytes = 1024
              expiry.tombstone-grace = 2m
              data-role = data
            }
            """);

        Assert.Equal(7, s.Shards);
        Assert.Equal(KeyHashAlgorithm.Sha256, s.HashAlgorithm);
        Assert.Equal(ConsistencyLevel.Strong, s.DefaultConsistency);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.OperationTimeout);
        Assert.Equal(1024, s.MaxBatchBytes);
        Assert.Equal(TimeSpan.FromMinutes(2), s.TombstoneGrace);
        Assert.Equal("data", s.DataRole);
        Assert.Equal(150, s.VirtualNodes);
        Assert.Equal(DistCacheSettings.Default.MaxValueBytes, s.MaxValueBytes);
    }

    [Theory]
    [InlineData("shards", 1)]
    [InlineData("shards", 65536)]
    [InlineData("replication-factor", 16)]
    [InlineData("virtual-nodes", 4096)]
    [InlineData("limits.max-batch-bytes", 1024)]
    [InlineData("limits.max-value-bytes", 64 * 1024 * 1024)]
    public void Should_accept_the_bounds_of_each_range(string key, int value)
    {
        var s = Parse($"distcache.{key} = {value}");
        var read = key switch
        {
            "shards" => s.Shards,
            "replication-factor" => s.ReplicationFactor,
            "virtual-nodes" => s.VirtualNodes,
            "limits.max-batch-bytes" => s.MaxBatchBytes,
            _ => s.MaxValueBytes,
        };
        Assert.Equal(value, read);
    }

    // Each row: the override, the key that must be named, the value as it must be quoted, and a fragment of the rule.
    public static TheoryData<string, string, string, string> InvalidSettings() => new()
    {
        { "shards = 0", "distcache.shards", "\"0\"", "integer between 1 and 65536" },
        { "shards = 70000", "distcache.shards", "\"70000\"", "integer between 1 and 65536" },
        { "shards = many", "distcache.shards", "\"many\"", "integer between 1 and 65536" },
        { "hash-algorithm = md5", "distcache.hash-algorithm", "\"md5\"", "must be \"xxhash64\" or \"sha256\"" },
        { "virtual-nodes = 0", "distcache.virtual-nodes", "\"0\"", "integer between 1 and 4096" },
        { "replication-factor = 0", "distcache.replication-factor", "\"0\"", "integer between 1 and 16" },
        { "replication-factor = 17", "distcache.replication-factor", "\"17\"", "integer between 1 and 16" },
        { "default-consistency = linearizable", "distcache.default-consistency", "\"linearizable\"", "one of eventual, quorum, strong" },
        { "operation-timeout = 0s", "distcache.operation-timeout", "\"0s\"", "positive duration" },
        { "operation-timeout = banana", "distcache.operation-timeout", "\"banana\"", "positive duration" },
        { "operation-timeout = -3s", "distcache.operation-timeout", "\"-3s\"", "positive duration" },
        { "limits.max-key-bytes = 0", "distcache.limits.max-key-bytes", "\"0\"", "integer between 1 and 65536" },
        { "limits.max-value-bytes = 0", "distcache.limits.max-value-bytes", "\"0\"", "integer between 1 and 67108864" },
        { "limits.max-batch-bytes = 10", "distcache.limits.max-batch-bytes", "\"10\"", "integer between 1024 and 67108864" },
        { "expiry.sweep-interval = 0s", "distcache.expiry.sweep-interval", "\"0s\"", "positive duration" },
        { "expiry.sweep-sample-size = 0", "distcache.expiry.sweep-sample-size", "\"0\"", "integer between 1 and 100000" },
        { "expiry.tombstone-grace = -1s", "distcache.expiry.tombstone-grace", "\"-1s\"", "positive duration" },
        { "region-name = \"\"", "distcache.region-name", "\"\"", "non-empty name" },
        { "data-role = \"\"", "distcache.data-role", "\"\"", "non-empty name" },
        { "recovery.max-stashed = 0", "distcache.recovery.max-stashed", "\"0\"", "integer between 1 and 10000000" },
        { "recovery.timeout = 0s", "distcache.recovery.timeout", "\"0s\"", "positive duration" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Should_reject_an_invalid_value_naming_the_key_the_value_and_the_rule(string hocon, string key, string shownValue, string rule)
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() => Parse($"distcache {{ {hocon} }}"));

        Assert.Contains($"`{key}`", e.Message);
        Assert.Contains($"is {shownValue};", e.Message);
        Assert.Contains(rule, e.Message);
    }

    [Fact]
    public void Should_name_the_key_when_parsing_a_consistency_level_fails()
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() => DistCacheSettings.ParseConsistency("--consistency", "all"));
        Assert.Equal("`--consistency` is \"all\"; it must be one of eventual, quorum, strong.", e.Message);
        Assert.Equal(ConsistencyLevel.Eventual, DistCacheSettings.ParseConsistency("x", "EVENTUAL"));
    }
}
