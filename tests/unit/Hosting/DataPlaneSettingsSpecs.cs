using Akka.Configuration;
using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Hosting;

// `distcache.data-plane`: on by default on a free port of distcache.node.host, frames limited by the value limit;
// off when configured off, and when remoting's TLS is set only in akka.remote (no certificate for the data plane),
// saying why; with distcache.tls on it takes the node's TLS identity (DataPlaneTlsSpecs), and a missing certificate
// is refused naming the key; a port that is not 0 .. 65535 is refused with a message naming the key.
public class DataPlaneSettingsSpecs
{
    private static DataPlaneSettings Create(string hocon) => DataPlaneSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void Should_listen_on_a_free_port_of_the_node_host_by_default()
    {
        var settings = Create("distcache.node.host = \"127.0.0.2\"\ndistcache.limits.max-value-bytes = 1000");

        Assert.Equal((true, "127.0.0.2", 0, 2 * 1000 + 64 * 1024, (string?)null),
            (settings.Enabled, settings.Host, settings.Port, settings.FrameLimit, settings.DisabledBecause));
    }

    [Theory]
    [InlineData("distcache.data-plane.enabled = off", "enabled` is off")]
    [InlineData("akka.remote.dot-netty.tcp.enable-ssl = on", "TLS")]
    public void Should_be_off_when_configured_off_or_with_TLS_it_has_no_certificate_for(string hocon, string reason)
    {
        var settings = Create(hocon);

        Assert.False(settings.Enabled);
        Assert.Contains(reason, settings.DisabledBecause);
    }

    [Fact]
    public void Should_refuse_TLS_without_a_certificate_naming_the_key()
    {
        var e = Assert.Throws<DistCacheAkka.Messages.Settings.DistCacheConfigurationException>(() => Create("distcache.tls.enabled = on"));

        Assert.Contains("distcache.tls.certificate-path", e.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("65536")]
    [InlineData("\"http\"")]
    public void Should_refuse_a_port_that_is_not_a_tcp_port(string port)
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() => Create($"distcache.data-plane.port = {port}"));

        Assert.Contains("`distcache.data-plane.port`", error.Message);
    }
}
