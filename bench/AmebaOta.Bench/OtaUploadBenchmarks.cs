using System.Net;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using BenchmarkDotNet.Attributes;

namespace AmebaOta.Bench;

/// <summary>
/// End-to-end OTA of a 512 KiB image to the virtual board's receiver over loopback: the receiver listens, the uploader
/// connects and sends header + file, the board erases, programs in 512-byte reads, reads back, checksums, signs and
/// marks Default Image 2 old; the measurement ends when <c>beginLocal</c> returns after printing "OTA success".
/// In-process toolchain, so it runs inside the loopback-only network namespace (no project generation, no restore).
/// </summary>
[InProcess]
[MemoryDiagnoser]
[MedianColumn]
public class OtaUploadBenchmarks
{
    private const int ImageSize = 512 * 1024;
    private NorFlash _flash = null!;
    private byte[] _image = null!;

    [GlobalSetup]
    public void Setup()
    {
        _flash = BlankChip.Create(FlashLayout.OneMiB);
        var v1 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1, AppliesVersion1Settings: true)));
        DapUpload.Write(_flash, ImageFile.Parse(v1));
        new SystemData(_flash).SetOtaAddress(FlashLayout.DefaultOtaAddress);
        _image = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(2), FileSize: ImageSize));
    }

    [Benchmark]
    public async Task<OtaReceiveOutcome> Upload512KiBConnectToOtaSuccess()
    {
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = new OtaReceiver(_flash, static _ => { })
            .BeginLocalAsync(new OtaReceiverOptions(IPAddress.Loopback, 0) { Listening = listening.SetResult });
        await OtaUploader.UploadAsync(await listening.Task, _image);
        var result = await receiver;
        if (!result.Succeeded) throw new InvalidOperationException($"OTA failed: {result.Outcome}");
        return result.Outcome;
    }
}
