using Akka.Configuration;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.DataPlane;

/// <summary>
/// <c>distcache.data-plane</c> (reference.conf documents each key): whether the node serves clients' envelopes over
/// its own TCP listener, on which host (<c>distcache.node.host</c>) and port, and the largest frame it accepts.
/// <see cref="Enabled"/> is false whenever the node's remoting uses TLS (<c>distcache.tls</c> or
/// <c>akka.remote.dot-netty.tcp.enable-ssl</c>): the data plane is plaintext, and a plaintext port beside a mutual-TLS
/// cluster would let anyone read and write the cache; <see cref="DisabledBecause"/> says so for the log.
/// </summary>
internal sealed record DataPlaneSettings(bool Enabled, string Host, int Port, int FrameLimit, string? DisabledBecause)
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
        string? disabledBecause = null;
        if (!c.GetBoolean("distcache.data-plane.enabled", true))
            disabledBecause = "`distcache.data-plane.enabled` is off";
        else if (c.GetBoolean("distcache.tls.enabled", false) || c.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
            disabledBecause = "remoting uses TLS and the data plane is plaintext, so clients use remoting (mutual TLS) only";
        return new DataPlaneSettings(disabledBecause is null, host, port, limit, disabledBecause);
    }
}
