using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Settings;

// Verifies the typed distcache.client.coalescing settings: defaults from reference.conf, overrides, and validation
// messages that name the key, its value and the rule.
public class CoalescingSettingsSpecs
{
    [Fact]
    public void Should_read_the_defaults_from_reference_conf()
    {
        var settings = CoalescingSettings.Default;

        Assert.True(settings.Enabled);
        Assert.Equal(128, settings.MaxBatch);
        Assert.Equal(1, settings.MaxInFlight);
        Assert.Equal(TimeSpan.Zero, settings.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.PlacementRefresh);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ReplyTimeout);
    }

    [Fact]
    public void Should_read_overrides()
    {
        var settings = CoalescingSettings.Create(DistCacheConfig.WithReference("""
            distcache.client.coalescing { enabled = off, max-batch = 16, max-in-flight = 3, max-delay = 2ms, placement-refresh = 500ms }
            """));

        Assert.Equal(new CoalescingSettings(false, 16, 3, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)), settings);
    }

    [Theory]
    [InlineData("max-batch = 0", "`distcache.client.coalescing.max-batch` is \"0\"; it must be an integer between 1 and 4096.")]
    [InlineData("max-in-flight = 2000", "`distcache.client.coalescing.max-in-flight` is \"2000\"; it must be an integer between 1 and 1024.")]
    [InlineData("max-delay = -1ms", "`distcache.client.coalescing.max-delay` is \"-1ms\"; it must be 0s or a positive duration.")]
    [InlineData("placement-refresh = 0s", "`distcache.client.coalescing.placement-refresh` is \"0s\"; it must be a positive duration such as 2s.")]
    public void Should_refuse_values_out_of_range_naming_the_key(string hocon, string message)
    {
        var error = Assert.Throws<DistCacheConfigurationException>(() =>
            CoalescingSettings.Create(DistCacheConfig.WithReference("distcache.client.coalescing." + hocon)));

        Assert.Equal(message, error.Message);
    }
}
