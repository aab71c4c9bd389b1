using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Memory;

// The GC pause monitor behind /health/ready: the paused share of the last 10 s, from samples of the total pause time,
// so a node whose heap is too full to work reports not ready while one that merely sits at its budget does not.
public class GcPauseMonitorSpecs
{
    private readonly ManualTimeProvider _clock = new();
    private TimeSpan _paused;

    [Fact]
    public void Should_report_the_paused_share_of_the_window()
    {
        var monitor = new GcPauseMonitor(() => _paused, _clock, sampleEvery: null);
        for (var second = 0; second < 10; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _paused += TimeSpan.FromMilliseconds(700);
            monitor.Sample();
        }

        Assert.InRange(monitor.PausedShare(), 0.69, 0.71);
    }

    [Fact]
    public void Should_forget_pauses_older_than_the_window()
    {
        var monitor = new GcPauseMonitor(() => _paused, _clock, sampleEvery: null);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _paused += TimeSpan.FromMilliseconds(900); // a bad second long ago
        monitor.Sample();
        for (var second = 0; second < 30; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _paused += TimeSpan.FromMilliseconds(10);
            monitor.Sample();
        }

        Assert.InRange(monitor.PausedShare(), 0.0, 0.02);
    }

    [Fact]
    public void Should_report_zero_before_time_passed() =>
        Assert.Equal(0, new GcPauseMonitor(() => _paused, _clock, sampleEvery: null).PausedShare());
}
