using Coala.ML.Features;

namespace Coala.ML.Tests.Features;

public class FrontendSettingsTests
{
    [Fact]
    public void MetadataRoundTripsAllSettings()
    {
        var s = new FrontendSettings { SampleRate = 16000, Window = WindowKind.Hamming, MelBands = 64, FMin = 20 };
        var back = FrontendSettings.FromMetadata(s.ToMetadata());
        Assert.Equal(s with { FMax = s.EffectiveFMax }, back);
    }

    [Fact]
    public void MissingOrBadMetadataNamesTheKey()
    {
        var meta = new Dictionary<string, string>(FrontendSettings.Default.ToMetadata());
        meta.Remove(FrontendSettings.KeyHopLength);
        var e = Assert.Throws<CoalaException>(() => FrontendSettings.FromMetadata(meta, "m.onnx"));
        Assert.Contains(FrontendSettings.KeyHopLength, e.Message);
        Assert.Equal("m.onnx", e.FilePath);

        meta = new Dictionary<string, string>(FrontendSettings.Default.ToMetadata()) { [FrontendSettings.KeyFftSize] = "1000" };
        e = Assert.Throws<CoalaException>(() => FrontendSettings.FromMetadata(meta));
        Assert.Contains("FFT size 1000", e.Message);
    }
}
