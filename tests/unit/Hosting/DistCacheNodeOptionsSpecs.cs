using Akka.Configuration;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Hosting;

// The options of an embedded data node (WithDistCacheNode, issue 16): unset properties render nothing (the HOCON and
// reference.conf decide), set ones render the distcache.* keys the node reads, and a bad value is refused where the
// application builds its host, naming the option's key, the value and the rule. Also how node.conf is merged into
// an application's configuration: the application's own values win, library defaults do not count as the
// application's, and the process-wide keys (log levels, provider) are never taken.
public class DistCacheNodeOptionsSpecs
{
    [Fact]
    public void Should_render_nothing_when_no_option_is_set()
    {
        Assert.Equal("", new DistCacheNodeOptions().ToHocon());
        new DistCacheNodeOptions().Validate();
    }

    [Fact]
    public void Should_render_the_set_options_as_the_keys_the_node_reads()
    {
        var options = new DistCacheNodeOptions
        {
            DataRole = "data",
            ReplicationFactor = 3,
            VirtualNodes = 50,
            Shards = 128,
            HashAlgorithm = "sha256",
            DefaultConsistency = ConsistencyLevel.Strong,
            MemoryLimitBytes = 256L * 1024 * 1024,
            WarmUpMinDataNodes = 3,
            WarmUpAfterStable = TimeSpan.FromMilliseconds(1500),
        };
        var config = ConfigurationFactory.ParseString(options.ToHocon());

        var settings = DistCacheSettings.Create(config);
        var node = DataNodeSettings.Create(config);

        Assert.Equal(("data", 3, 50, 128), (settings.DataRole, settings.ReplicationFactor, settings.VirtualNodes, settings.Shards));
        Assert.Equal((Messages.Hashing.KeyHashAlgorithm.Sha256, ConsistencyLevel.Strong), (settings.HashAlgorithm, settings.DefaultConsistency));
        Assert.Equal(256L * 1024 * 1024, MemorySettings.Create(config).ConfiguredLimitBytes);
        Assert.Equal((3, TimeSpan.FromMilliseconds(1500)), (node.WarmUpMinDataNodes, node.WarmUpAfterStable));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("distcache.replication.batch-per-node = off", false)]
    [InlineData("distcache.replication.batch-per-node = on", true)]
    public void Should_read_whether_replication_batches_per_node(string hocon, bool expected) =>
        Assert.Equal(expected, DataNodeSettings.Create(ConfigurationFactory.ParseString(hocon)).BatchPerNode);

    [Fact]
    public void Should_refuse_a_batch_per_node_setting_that_is_not_on_or_off()
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() =>
            DataNodeSettings.Create(ConfigurationFactory.ParseString("distcache.replication.batch-per-node = sometimes")));

        Assert.Equal("`distcache.replication.batch-per-node` is \"sometimes\"; it must be on or off.", e.Message);
    }

    [Fact]
    public void Should_fall_back_to_reference_conf_for_unset_options()
    {
        var config = ConfigurationFactory.ParseString(new DistCacheNodeOptions { ReplicationFactor = 3 }.ToHocon());

        Assert.Equal(DistCacheSettings.Default with { ReplicationFactor = 3 }, DistCacheSettings.Create(config));
    }

    [Theory]
    [InlineData(0, "`distcache.replication-factor` is \"0\"")]
    [InlineData(17, "`distcache.replication-factor` is \"17\"")]
    public void Should_refuse_a_replication_factor_out_of_range(int factor, string expected)
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { ReplicationFactor = factor }.Validate());

        Assert.StartsWith("DistCacheNodeOptions: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("between 1 and 16", e.Message);
    }

    [Fact]
    public void Should_refuse_a_memory_limit_below_one_mebibyte()
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { MemoryLimitBytes = 1000 }.Validate());

        Assert.Contains("`distcache.memory.limit` is \"1000\"", e.Message);
        Assert.Contains("at least 1MiB", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("ca\"che")]
    public void Should_refuse_a_data_role_that_is_empty_or_not_a_plain_name(string role)
    {
        var e = Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { DataRole = role }.Validate());

        Assert.Contains("DistCacheNodeOptions.DataRole (`distcache.data-role`)", e.Message);
    }

    [Fact]
    public void Should_refuse_bad_warm_up_and_shard_options()
    {
        Assert.Contains("`distcache.node.warm-up-min-data-nodes`",
            Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { WarmUpMinDataNodes = 0 }.Validate()).Message);
        Assert.Contains("`distcache.node.warm-up-after-stable`",
            Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { WarmUpAfterStable = TimeSpan.FromSeconds(-1) }.Validate()).Message);
        Assert.Contains("`distcache.shards` is \"0\"",
            Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { Shards = 0 }.Validate()).Message);
        Assert.Contains("`distcache.hash-algorithm` is \"md5\"",
            Assert.Throws<DistCacheConfigurationException>(() => new DistCacheNodeOptions { HashAlgorithm = "md5" }.Validate()).Message);
    }

    [Fact]
    public void Should_keep_the_applications_values_and_take_node_conf_for_the_rest()
    {
        var app = ConfigurationFactory.ParseString("""
            akka.loglevel = DEBUG
            akka.cluster.sharding.handoff-timeout = 30s
            akka.remote.dot-netty.tcp.maximum-frame-size = 4MiB
            """).WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig()); // as WithClustering appends it

        var merged = NodeDefaults.For(app, "data").WithFallback(app);

        Assert.Equal(TimeSpan.FromSeconds(30), merged.GetTimeSpan("akka.cluster.sharding.handoff-timeout"));
        Assert.Equal(4L * 1024 * 1024, merged.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal("DEBUG", merged.GetString("akka.loglevel"));
        // Library defaults copied in by WithClustering are not the application's: node.conf replaces them.
        Assert.Equal(TimeSpan.FromSeconds(1), merged.GetTimeSpan("akka.cluster.sharding.rebalance-interval"));
        Assert.Equal(TimeSpan.FromSeconds(2), merged.GetTimeSpan("akka.cluster.sharding.updating-state-timeout"));
        Assert.Equal("keep-majority", merged.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("data", merged.GetString("akka.cluster.split-brain-resolver.keep-majority.role"));
    }

    [Fact]
    public void Should_never_take_the_process_wide_keys_of_node_conf()
    {
        var taken = NodeDefaults.For(Config.Empty, "cache");

        Assert.False(taken.HasPath("akka.loglevel"));
        Assert.False(taken.HasPath("akka.stdout-loglevel"));
        Assert.False(taken.HasPath("akka.actor.provider"));
        Assert.Equal(2L * 1024 * 1024, taken.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
    }
}
