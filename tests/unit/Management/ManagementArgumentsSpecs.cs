using Akka.Actor;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Management;

// The management endpoint's argument parsing (durations, consistency levels, member addresses) and its binding
// rule: an endpoint reachable from other machines must require a token, or the node refuses to start.
public class ManagementArgumentsSpecs
{
    private static readonly Address Self = new("akka.tcp", "distcache", "127.0.0.1", 4053);

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:01:30", 90_000)]
    [InlineData(" 30S ", 30_000)]
    public void Should_parse_durations(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ManagementArguments.Ttl(text));

    [Theory]
    [InlineData("-1s", "must be positive")]
    [InlineData("0s", "must be positive")]
    [InlineData("soon", "is not a duration")]
    [InlineData("30", "is not a duration")]
    [InlineData("NaNs", "is not a duration")]
    public void Should_reject_bad_durations_naming_the_value(string text, string problem)
    {
        var error = Assert.Throws<ManagementArgumentException>(() => ManagementArguments.Ttl(text));
        Assert.Contains($"ttl '{text}'", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Should_leave_an_absent_ttl_absent() => Assert.Null(ManagementArguments.Ttl(null));

    [Theory]
    [InlineData("strong", ConsistencyLevel.Strong)]
    [InlineData("QUORUM", ConsistencyLevel.Quorum)]
    [InlineData("eventual", ConsistencyLevel.Eventual)]
    public void Should_parse_consistency_levels(string text, ConsistencyLevel level) =>
        Assert.Equal(level, ManagementArguments.Consistency(text));

    [Fact]
    public void Should_reject_an_unknown_consistency_listing_the_levels()
    {
        var error = Assert.Throws<ManagementArgumentException>(() => ManagementArguments.Consistency("most"));
        Assert.Equal("consistency 'most' is not one of strong, quorum, eventual", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:4054", "akka.tcp://distcache@127.0.0.1:4054")]
    [InlineData("akka.tcp://distcache@10.0.0.5:4053", "akka.tcp://distcache@10.0.0.5:4053")]
    public void Should_parse_member_addresses(string text, string expected) =>
        Assert.Equal(expected, ManagementArguments.Address(text, Self).ToString());

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("akka.tcp://distcache")]
    [InlineData(":4053")]
    public void Should_reject_malformed_addresses(string text)
    {
        var error = Assert.Throws<ManagementArgumentException>(() => ManagementArguments.Address(text, Self));
        Assert.Contains($"address '{text}' is not host:port", error.Message);
    }

    [Fact]
    public void Should_refuse_a_non_loopback_endpoint_without_a_token()
    {
        var config = NodeConfig.Build(null, "", "distcache.management.host = \"0.0.0.0\"");

        var error = Assert.Throws<DistCacheConfigurationException>(() => NodeSettings.Create(config));

        Assert.Contains("\"0.0.0.0\", which is not a loopback address", error.Message);
        Assert.Contains("distcache.management.token", error.Message);
    }

    [Fact]
    public void Should_accept_a_non_loopback_endpoint_with_a_token()
    {
        var config = NodeConfig.Build(null, "", "distcache.management.host = \"0.0.0.0\"\ndistcache.management.token = s3cret");

        var node = NodeSettings.Create(config);

        Assert.Equal(("0.0.0.0", "s3cret"), (node.ManagementHost, node.ManagementToken));
    }

    [Fact]
    public void Should_not_check_the_binding_of_a_disabled_endpoint()
    {
        var config = NodeConfig.Build(null, "", "distcache.management.host = \"0.0.0.0\"\ndistcache.management.enabled = off");

        Assert.False(NodeSettings.Create(config).ManagementEnabled);
    }

    [Fact]
    public void Should_require_an_ip_address_or_localhost()
    {
        var config = NodeConfig.Build(null, "", "distcache.management.host = \"cache.example\"");

        var error = Assert.Throws<DistCacheConfigurationException>(() => NodeSettings.Create(config));

        Assert.Contains("must be an IP address", error.Message);
    }
}
