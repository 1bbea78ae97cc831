using System.Runtime.InteropServices;
using AmebaOta.Families.Ameba1.Pull;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Takes a new image when the file changes (after 300 ms without further changes: editors and copies write in steps) and
/// on SIGHUP. Each time the file is loaded whole and checked before it replaces the current image (see
/// <see cref="PullImageSource.Reload"/>), so a file caught half written is simply not taken until it is whole.
/// </summary>
public sealed class ImageWatcher : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly PullImageSource _images;
    private readonly string _path;
    private readonly ServeConsole _console;
    private readonly FileSystemWatcher? _watcher;
    private readonly PosixSignalRegistration? _hangUp;
    private readonly Timer _debounce;
    private readonly Lock _gate = new();

    public ImageWatcher(PullImageSource images, string path, ServeConsole console, bool watchFile)
    {
        _images = images;
        _path = Path.GetFullPath(path);
        _console = console;
        _debounce = new Timer(_ => Reload("the file changed"), null, Timeout.Infinite, Timeout.Infinite);
        if (watchFile)
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Touched();
            _watcher.Created += (_, _) => Touched();
            _watcher.Renamed += (_, _) => Touched();
            _watcher.EnableRaisingEvents = true;
        }
        try
        {
            _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload("SIGHUP");
            });
        }
        catch (PlatformNotSupportedException)
        {
            _hangUp = null;
        }
    }

    private void Touched() => _debounce.Change(Quiet, Timeout.InfiniteTimeSpan);

    private void Reload(string why)
    {
        lock (_gate)
        {
            var result = _images.Reload(_path);
            if (result.Swapped) _console.Event("image", $"{why}: {result.Message}", _images.Current);
            else if (!result.Message.Contains("is unchanged", StringComparison.Ordinal) || why == "SIGHUP") _console.Warning($"{why}: {result.Message}");
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _hangUp?.Dispose();
        _debounce.Dispose();
    }
}
