using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Hosting;

// CacheNode's command line and configuration layering: flags become distcache.node.* overrides, bad options are
// usage errors with messages naming the problem, DISTCACHE_* variables map onto keys, and the layers stack in the
// documented order (reference < node.conf < role file < --config file < environment < flags).
public class CommandLineSpecs
{
    [Fact]
    public void Should_turn_flags_into_node_settings()
    {
        var run = Assert.IsType<RunNode>(CommandLine.Parse(["--role", "worker", "--host", "127.0.0.2", "--port", "4054",
            "--seed", "127.0.0.1:4053", "--seed", "localhost:4060", "--mgmt-port", "9111"]));

        var node = NodeSettings.Create(NodeConfig.Build(run.ConfigFile, "", run.OverridesHocon));

        Assert.Equal(("worker", "127.0.0.2", 4054, 9111), (node.Role, node.Host, node.Port, node.ManagementPort));
        Assert.Equal([("127.0.0.1", 4053), ("localhost", 4060)], node.Seeds);
    }

    [Fact]
    public void Should_default_to_a_seed_on_4053_serving_by_itself()
    {
        var run = Assert.IsType<RunNode>(CommandLine.Parse([]));

        var node = NodeSettings.Create(NodeConfig.Build(run.ConfigFile, "", run.OverridesHocon));

        Assert.Equal(("seed", "127.0.0.1", 4053), (node.Role, node.Host, node.Port));
        Assert.Empty(node.Seeds);
    }

    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "Unknown option --bogus")]
    [InlineData(new[] { "--port", "70000" }, "--port is '70000'; it must be a number between 0 and 65535")]
    [InlineData(new[] { "--port", "abc" }, "--port is 'abc'")]
    [InlineData(new[] { "--seed", "nohost" }, "a seed must be host:port")]
    [InlineData(new[] { "--seed", "127.0.0.1:0" }, "a seed must be host:port with a port between 1 and 65535")]
    [InlineData(new[] { "--role", "leader" }, "--role is 'leader'; it must be 'seed' or 'worker'")]
    [InlineData(new[] { "--port" }, "Option --port needs a value")]
    [InlineData(new[] { "stray" }, "Unexpected argument 'stray'")]
    [InlineData(new[] { "--config", "/does/not/exist.conf" }, "does not exist")]
    public void Should_refuse_bad_options_with_a_clear_message(string[] args, string expected)
    {
        var error = Assert.IsType<UsageError>(CommandLine.Parse(args));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Should_require_a_seed_for_a_worker()
    {
        var run = Assert.IsType<RunNode>(CommandLine.Parse(["--role", "worker"]));

        var e = Assert.Throws<DistCacheConfigurationException>(() => NodeSettings.Create(NodeConfig.Build(null, "", run.OverridesHocon)));
        Assert.Contains("`distcache.node.seeds` is empty; a worker must name at least one seed", e.Message);
    }

    [Fact]
    public void Should_map_environment_variables_onto_keys()
    {
        var hocon = CommandLine.FromEnvironment(new Dictionary<string, string?>
        {
            ["DISTCACHE_NODE__PORT"] = "4070",
            ["DISTCACHE_REPLICATION_FACTOR"] = "3",
            ["DISTCACHE_NODE__SEEDS"] = "127.0.0.1:4053, 127.0.0.1:4054",
            ["PATH"] = "/usr/bin",
        }.ToHashtable());

        var config = NodeConfig.Build(null, hocon, "distcache.node.role = worker");

        Assert.Equal(4070, NodeSettings.Create(config).Port);
        Assert.Equal(2, NodeSettings.Create(config).Seeds.Count);
        Assert.Equal(3, DistCacheSettings.Create(config).ReplicationFactor);
    }

    [Fact]
    public void Should_let_flags_beat_environment_beat_config_file_beat_role_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "distcache.node.port = 1111\ndistcache.node.host = \"127.0.0.9\"\ndistcache.virtual-nodes = 77\nakka.cluster.split-brain-resolver.stable-after = 3s");
            var env = "distcache.node.port = 2222\ndistcache.node.host = \"127.0.0.8\"";
            var config = NodeConfig.Build(file, env, "distcache.node.port = 3333");

            Assert.Equal(3333, NodeSettings.Create(config).Port);             // flag
            Assert.Equal("127.0.0.8", NodeSettings.Create(config).Host);      // environment over file
            Assert.Equal(77, DistCacheSettings.Create(config).VirtualNodes);  // file over reference
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after")); // file over node.conf
            Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode")); // node.conf
        }
        finally
        {
            File.Delete(file);
        }
    }
}

internal static class DictionaryExtensions
{
    public static System.Collections.Hashtable ToHashtable(this Dictionary<string, string?> values)
    {
        var table = new System.Collections.Hashtable();
        foreach (var (k, v) in values)
            table[k] = v;
        return table;
    }
}
