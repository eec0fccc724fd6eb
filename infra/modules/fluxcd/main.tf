# Installs the Flux controllers (flux2 chart) and one GitRepository + Kustomization pair
# (flux2-sync chart) that reconcile clusters/<cluster> of the platform repository.
#
# OpenTofu never writes to Git: the platform tree is written by `wildside platform render`,
# so Flux only needs read access. No Git token is handled here; with git_auth = "deploy_key"
# the only secret in state is the read-only deploy key the Secret is built from.

locals {
  git_path        = coalesce(var.git_path, "clusters/${var.cluster_name}")
  uses_secret     = var.git_auth != "none"
  sync_name       = "flux-system"
  controller_vals = { nodeSelector = var.node_selector }
}

resource "helm_release" "flux2" {
  name             = "flux2"
  namespace        = var.namespace
  create_namespace = true
  repository       = var.helm_repository
  chart            = "flux2"
  version          = var.flux2_chart_version
  atomic           = true
  wait             = true
  timeout          = 600

  values = [yamlencode({
    helmController         = local.controller_vals
    kustomizeController    = local.controller_vals
    notificationController = local.controller_vals
    sourceController       = local.controller_vals
    # Image automation writes to Git; previews are committed by the wildside CLI instead.
    imageAutomationController = { create = false }
    imageReflectionController = { create = false }
  })]
}

resource "tls_private_key" "deploy_key" {
  count     = var.git_auth == "deploy_key" ? 1 : 0
  algorithm = "ED25519"
}

resource "kubernetes_secret_v1" "git" {
  count = var.git_auth == "deploy_key" ? 1 : 0

  metadata {
    name      = var.git_secret_name
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "opentofu"
    }
  }

  data = {
    identity       = tls_private_key.deploy_key[0].private_key_openssh
    "identity.pub" = tls_private_key.deploy_key[0].public_key_openssh
    known_hosts    = var.git_known_hosts
  }

  depends_on = [helm_release.flux2]
}

resource "helm_release" "flux2_sync" {
  name       = "flux2-sync"
  namespace  = var.namespace
  repository = var.helm_repository
  chart      = "flux2-sync"
  version    = var.flux2_sync_chart_version
  atomic     = true

  values = [yamlencode({
    gitRepository = {
      name = local.sync_name
      spec = merge(
        {
          url      = var.git_repository_url
          ref      = { branch = var.git_branch }
          interval = var.sync_interval
        },
        local.uses_secret ? { secretRef = { name = var.git_secret_name } } : {},
      )
    }
    kustomization = {
      name = local.sync_name
      spec = {
        path     = "./${local.git_path}"
        prune    = true
        interval = "10m"
      }
    }
  })]

  depends_on = [helm_release.flux2, kubernetes_secret_v1.git]
}
