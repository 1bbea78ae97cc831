using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using BenchmarkDotNet.Attributes;

namespace AmebaOta.Bench;

/// <summary>What the board does with a 512 KiB OTA image in the flash model: erase the region, program it in 512-byte chunks, read back and checksum.</summary>
[MemoryDiagnoser]
public class FlashBenchmarks
{
    private const int ImageSize = 512 * 1024;
    private NorFlash _flash = null!;
    private byte[] _image = null!;
    private readonly byte[] _readBack = new byte[ImageSize];

    [GlobalSetup]
    public void Setup()
    {
        _flash = BlankChip.Create(FlashLayout.TwoMiB);
        _image = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(2), FileSize: ImageSize));
    }

    [Benchmark]
    public uint EraseProgramChecksum512KiB()
    {
        const uint ota = FlashLayout.DefaultOtaAddress;
        for (uint s = 0; s < ImageSize; s += FlashLayout.SectorSize) _flash.EraseSector(ota + s);
        for (int offset = 0; offset < ImageSize; offset += 512) _flash.Program(ota + (uint)offset, _image.AsSpan(offset, 512));
        _flash.Read(ota, _readBack);
        return Checksum.ByteSum(_readBack);
    }
}
