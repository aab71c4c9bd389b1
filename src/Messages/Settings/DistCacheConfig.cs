using Akka.Configuration;

namespace DistCacheAkka.Messages.Settings;

/// <summary>Access to the embedded <c>hocon/reference.conf</c>, the single home of every distcache.* default.</summary>
public static class DistCacheConfig
{
    private static readonly Lazy<Config> LazyReference = new(() =>
    {
        using var stream = typeof(DistCacheConfig).Assembly.GetManifestResourceStream("DistCacheAkka.reference.conf")
            ?? throw new InvalidOperationException("DistCacheAkka.reference.conf is not embedded in DistCacheAkka.Messages.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The reference configuration (all defaults).</summary>
    public static Config Reference => LazyReference.Value;

    /// <summary><paramref name="config"/> with the reference configuration as its last fallback.</summary>
    public static Config WithReferenceFallback(Config config) =>
        ReferenceEquals(config, Reference) ? config : config.WithFallback(Reference);

    /// <summary>Parses <paramref name="hocon"/> with the reference configuration as fallback.</summary>
    public static Config WithReference(string hocon) =>
        ConfigurationFactory.ParseString(hocon).WithFallback(Reference);

    /// <summary>A switch (on/off, true/false, yes/no) at <paramref name="path"/> of <paramref name="config"/> with the
    /// reference fallback.</summary>
    /// <exception cref="DistCacheConfigurationException">The value is none of those, named with its path.</exception>
    public static bool Switch(Config config, string path)
    {
        var raw = WithReferenceFallback(config).GetString(path);
        return raw switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw new DistCacheConfigurationException($"`{path}` is \"{raw}\"; it must be on or off."),
        };
    }
}
