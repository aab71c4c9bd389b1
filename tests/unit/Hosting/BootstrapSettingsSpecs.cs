using Akka.Configuration;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Hosting;

// Cluster bootstrap settings (distcache.bootstrap, issue 16): the --bootstrap, --contact, --bootstrap-port and
// --required-contacts flags and the DISTCACHE_BOOTSTRAP__* variables become settings; a worker needs no seed with
// bootstrap on, seeds and bootstrap together are refused, every rule's message names the setting and the value; and
// the rendered Akka HOCON carries what Cluster Bootstrap needs for several nodes on one host.
public class BootstrapSettingsSpecs
{
    private static NodeSettings Node(string flagsHocon, string environmentHocon = "") =>
        NodeSettings.Create(NodeConfig.Build(null, environmentHocon, flagsHocon));

    private static NodeSettings FromFlags(params string[] args) =>
        Node(Assert.IsType<RunNode>(CommandLine.Parse(args)).OverridesHocon);

    [Fact]
    public void Should_be_off_by_default()
    {
        var node = FromFlags();

        Assert.Null(node.Bootstrap);
        Assert.Equal("", ClusterBootstrapSetup.Hocon(node));
    }

    [Fact]
    public void Should_turn_flags_into_bootstrap_settings_for_a_worker_without_seeds()
    {
        var node = FromFlags("--role", "worker", "--bootstrap", "config", "--contact", "127.0.0.1:8558", "--contact", "127.0.0.1:8559",
            "--contact", "localhost:8560", "--bootstrap-port", "8559", "--required-contacts", "3");

        var b = Assert.IsType<BootstrapSettings>(node.Bootstrap);
        Assert.Equal("worker", node.Role);
        Assert.Empty(node.Seeds);
        Assert.Equal(BootstrapMethod.Config, b.Method);
        Assert.Equal([("127.0.0.1", 8558), ("127.0.0.1", 8559), ("localhost", 8560)], b.ContactPoints);
        Assert.Equal((8559, 3, "distcache", TimeSpan.FromSeconds(5), true), (b.Port, b.RequiredContactPoints, b.ServiceName, b.StableMargin, b.NewClusterEnabled));
    }

    [Fact]
    public void Should_read_the_environment_with_contact_points_as_a_comma_separated_list()
    {
        var environment = CommandLine.FromEnvironment(new Dictionary<string, string>
        {
            ["DISTCACHE_BOOTSTRAP__ENABLED"] = "on",
            ["DISTCACHE_BOOTSTRAP__METHOD"] = "config",
            ["DISTCACHE_BOOTSTRAP__CONTACT_POINTS"] = "node1:8558, node2:8558",
            ["DISTCACHE_BOOTSTRAP__REQUIRED_CONTACT_POINTS"] = "2",
        });

        var b = Node("", environment).Bootstrap!;

        Assert.Equal([("node1", 8558), ("node2", 8558)], b.ContactPoints);
        Assert.Equal(2, b.RequiredContactPoints);
    }

    [Fact]
    public void Should_accept_kubernetes_api_without_contact_points()
    {
        var node = FromFlags("--role", "worker", "--bootstrap", "kubernetes-api", "--required-contacts", "3");

        Assert.Equal(BootstrapMethod.KubernetesApi, node.Bootstrap!.Method);
        Assert.Equal("bootstrap", node.Bootstrap.PortName);
    }

    [Theory]
    [InlineData(new[] { "--bootstrap", "dns" }, "--bootstrap is 'dns'; it must be 'config' or 'kubernetes-api'")]
    [InlineData(new[] { "--contact", "nohost" }, "`--contact` has \"nohost\"; a contact point must be host:port")]
    [InlineData(new[] { "--bootstrap-port", "0" }, "--bootstrap-port is '0'; it must be a number between 1 and 65535")]
    [InlineData(new[] { "--required-contacts", "0" }, "--required-contacts is '0'; it must be a number between 1 and 1000")]
    public void Should_refuse_bad_flags_with_a_clear_message(string[] args, string expected)
    {
        var error = Assert.IsType<UsageError>(CommandLine.Parse(args));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("distcache.node.seeds = [\"127.0.0.1:4053\"]\ndistcache.bootstrap { enabled = on, contact-points = [\"127.0.0.1:8558\"], required-contact-points = 1 }",
        "`distcache.node.seeds` lists 1 seed(s) and `distcache.bootstrap.enabled` is on")]
    [InlineData("distcache.bootstrap { enabled = on, method = dns }", "`distcache.bootstrap.method` is \"dns\"; it must be \"config\" or \"kubernetes-api\"")]
    [InlineData("distcache.bootstrap { enabled = on }", "`distcache.bootstrap.contact-points` is empty")]
    [InlineData("distcache.bootstrap { enabled = on, contact-points = [\"127.0.0.1:8558\"], required-contact-points = 2 }",
        "`distcache.bootstrap.required-contact-points` is 2 but `distcache.bootstrap.contact-points` lists only 1")]
    [InlineData("distcache.bootstrap { enabled = on, method = kubernetes-api, contact-points = [\"127.0.0.1:8558\"] }",
        "contact points are for the config method only")]
    [InlineData("distcache.bootstrap { enabled = on, method = kubernetes-api, port = 0 }", "`distcache.bootstrap.port` is \"0\"; it must be a port between 1 and 65535")]
    [InlineData("distcache.bootstrap { enabled = on, method = kubernetes-api, service-name = \"a b\" }", "`distcache.bootstrap.service-name` is \"a b\"")]
    [InlineData("distcache.bootstrap { enabled = on, method = kubernetes-api, stable-margin = 0s }", "`distcache.bootstrap.stable-margin` is 00:00:00; it must be longer than 0s")]
    [InlineData("distcache.bootstrap { enabled = on, method = kubernetes-api, required-contact-points = 0 }",
        "`distcache.bootstrap.required-contact-points` is 0; it must be between 1 and 1000")]
    public void Should_refuse_invalid_settings_naming_the_setting_and_the_rule(string hocon, string expected)
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() => Node(hocon));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Should_still_demand_a_seed_from_a_worker_without_bootstrap()
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() => FromFlags("--role", "worker"));

        Assert.Contains("or bootstrap through discovery (--bootstrap config|kubernetes-api)", error.Message);
    }

    [Fact]
    public void Should_render_config_discovery_for_nodes_sharing_a_host()
    {
        var node = FromFlags("--host", "127.0.0.1", "--bootstrap", "config", "--contact", "127.0.0.1:8558", "--contact", "127.0.0.1:8559",
            "--bootstrap-port", "8559", "--required-contacts", "2");

        var akka = ConfigurationFactory.ParseString(ClusterBootstrapSetup.Hocon(node));

        Assert.Equal(8559, akka.GetInt("akka.management.cluster.bootstrap.contact-point.fallback-port"));
        Assert.False(akka.GetBoolean("akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
        Assert.Equal(2, akka.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal("distcache", akka.GetString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Assert.Equal("config", akka.GetString("akka.discovery.method"));
        Assert.Equal(["127.0.0.1:8558", "127.0.0.1:8559"], akka.GetStringList("akka.discovery.config.services.distcache.endpoints"));
    }

    [Fact]
    public void Should_render_kubernetes_api_discovery_with_the_named_port()
    {
        var node = Node("distcache.bootstrap { enabled = on, method = kubernetes-api, bind-host = \"0.0.0.0\", new-cluster-enabled = off }");

        var akka = ConfigurationFactory.ParseString(ClusterBootstrapSetup.Hocon(node));

        Assert.Equal("kubernetes-api", akka.GetString("akka.discovery.method"));
        Assert.Equal("bootstrap", akka.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name"));
        Assert.Equal("0.0.0.0", node.Bootstrap!.BindHost);
        Assert.False(akka.GetBoolean("akka.management.cluster.bootstrap.new-cluster-enabled"));
        Assert.False(akka.HasPath("akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
    }
}
