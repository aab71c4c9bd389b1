using Akka.Configuration;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.ClientProxy.Security;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.DataPlane;

/// <summary>
/// <c>distcache.data-plane</c> (reference.conf documents each key): whether the node serves clients' envelopes over
/// its own TCP listener, on which host (<c>distcache.node.host</c>) and port, and the largest frame it accepts.
/// With <c>distcache.tls</c> on, the data plane speaks mutual TLS with the node's own identity (<see cref="Tls"/>: the
/// same certificate and CA as remoting), so it is never a plaintext door beside a mutual-TLS cluster. TLS set up only
/// through <c>akka.remote.dot-netty.tcp.enable-ssl</c> gives the data plane no identity to use: it stays off then, and
/// <see cref="DisabledBecause"/> says so for the log.
/// </summary>
internal sealed record DataPlaneSettings(bool Enabled, string Host, int Port, int FrameLimit, string? DisabledBecause, TlsMaterial? Tls = null)
{
    /// <exception cref="DistCacheConfigurationException">The port is not an integer between 0 and 65535.</exception>
    public static DataPlaneSettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config);
        var raw = c.GetString("distcache.data-plane.port");
        if (!int.TryParse(raw, out var port) || port is < 0 or > 65535)
            throw new DistCacheConfigurationException($"`distcache.data-plane.port` is \"{raw}\"; it must be an integer between 0 (a free port) and 65535.");
        var limit = DataPlaneFrames.LimitFor(DistCacheSettings.Create(c).MaxValueBytes);
        var host = c.GetString("distcache.node.host") ?? "127.0.0.1";
        var enabled = c.GetBoolean("distcache.data-plane.enabled", true);
        var tls = enabled ? TlsMaterial.FromNodeConfig(c.GetConfig("distcache")) : null; // mutual TLS with the node's identity
        string? disabledBecause = null;
        if (!enabled)
            disabledBecause = "`distcache.data-plane.enabled` is off";
        else if (tls is null && c.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
            disabledBecause = "remoting's TLS is set in akka.remote, not `distcache.tls`, so the data plane has no certificate; clients use remoting (TLS) only";
        return new DataPlaneSettings(disabledBecause is null, host, port, limit, disabledBecause, tls);
    }
}
