using System.Runtime.InteropServices;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Takes a new image when the file changes and on SIGHUP, never while it is being written. A file renamed into place
/// (<c>ameba-ota publish</c>, <c>mv</c>) is whole: it is taken after 300 ms without further changes. A file rewritten in
/// place (<c>rsync --inplace</c>, <c>dd conv=notrunc</c>, <c>cp</c> over it, a slow copy over a network share) can look
/// whole halfway through (same size, a header and trailer that agree with the mix), so it is taken only once it has
/// stayed unchanged, by its events and by its modification time, for the settle time; the previous image is served
/// meanwhile, and a warning recommends renaming into place. Each time the file is loaded whole and checked before it
/// replaces the current image (see <see cref="ImageSource{T}.Reload"/>).
/// </summary>
public sealed class ImageWatcher : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly IImageSource _images;
    private readonly string _path;
    private readonly ServeConsole _console;
    private readonly TimeSpan _settle;
    private readonly FileSystemWatcher? _watcher;
    private readonly PosixSignalRegistration? _hangUp;
    private readonly Timer _debounce;
    private readonly Lock _gate = new();
    private bool _writtenInPlace;
    private bool _warned;
    private string _why = "the file changed";

    public ImageWatcher(IImageSource images, string path, ServeConsole console, bool watchFile, TimeSpan? settle = null)
    {
        _images = images;
        _path = Path.GetFullPath(path);
        _console = console;
        _settle = settle ?? ServeOptions.DefaultSettle;
        _debounce = new Timer(_ => Settled(), null, Timeout.Infinite, Timeout.Infinite);
        if (watchFile)
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Touched(inPlace: true);
            _watcher.Created += (_, _) => Touched(inPlace: false);
            _watcher.Renamed += (_, _) => Touched(inPlace: false);
            _watcher.EnableRaisingEvents = true;
        }
        try
        {
            _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                lock (_gate)
                {
                    _why = "SIGHUP";
                    _debounce.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
            });
        }
        catch (PlatformNotSupportedException)
        {
            _hangUp = null;
        }
    }

    private void Touched(bool inPlace)
    {
        lock (_gate)
        {
            _why = "the file changed";
            if (inPlace)
            {
                _writtenInPlace = true;
                if (!_warned)
                {
                    _warned = true;
                    _console.Warning($"{Path.GetFileName(_path)} is being rewritten in place: it is served only once it has stayed unchanged for " +
                        $"{_settle.TotalSeconds:0.###} s (--settle), {_images.Current?.Description ?? "nothing"} meanwhile; write a new image to a " +
                        "temporary name and rename it into place (mv, or ameba-ota publish), so that no board can ever get half of each");
                }
            }
            _debounce.Change(_writtenInPlace ? _settle : Quiet, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settled()
    {
        lock (_gate)
        {
            // Writes that raised no event (network shares) still move the modification time: wait until it is old enough.
            var info = new FileInfo(_path);
            var age = DateTime.UtcNow - info.LastWriteTimeUtc;
            if (info.Exists && (_writtenInPlace || _why == "SIGHUP") && age < _settle && age > -_settle)
            {
                _debounce.Change(_settle - age, Timeout.InfiniteTimeSpan);
                return;
            }
            var result = _images.Reload(_path);
            if (result.Swapped) _console.Event("image", $"{_why}: {result.Message}", _images.Current);
            else if (!result.Message.Contains("is unchanged", StringComparison.Ordinal) || _why == "SIGHUP") _console.Warning($"{_why}: {result.Message}");
            _writtenInPlace = false;
            _warned = false;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _hangUp?.Dispose();
        _debounce.Dispose();
    }
}
